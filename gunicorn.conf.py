"""gunicorn settings for production (README: Production): `gunicorn -c gunicorn.conf.py`.

Threaded workers (gthread): a client that sends its headers and then trickles or stalls its
body holds one thread, not a whole worker process. With sync workers four stalled uploads
blocked four workers and every other client with them; here each worker has THREADS threads
and keeps answering. Values come from the environment, so one file serves every host.
gunicorn also reads this file by itself when it is started in the project folder.
"""

from __future__ import annotations

import multiprocessing
import os

wsgi_app = "applianceops.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

worker_class = "gthread"
# Processes: two per core by default. Threads per process: keep them at or under the database
# pool (DB_POOL_MAX_SIZE, 10), or threads wait up to 10 s for a connection.
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))

# A request that takes longer than this (the worker stops answering its heartbeat) is killed.
timeout = 30
graceful_timeout = 30
# Idle keep-alive connections wait in the worker's event loop, not in a thread.
keepalive = 5
accesslog = "-"
errorlog = "-"
