"""What the benchmark reads off the server beside the rates: which worker holds which of the
client's connections."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from bench.load import connections_per_worker

# A stand-in worker: listens, accepts `n` connections, says so, and holds them until stdin closes.
WORKER = """
import socket, sys
n = int(sys.argv[1])
listener = socket.create_server(("127.0.0.1", 0))
print(listener.getsockname()[1], flush=True)
held = [listener.accept()[0] for _ in range(n)]
print("accepted", flush=True)
sys.stdin.read()
"""


def test_the_bench_counts_the_connections_each_worker_holds():
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(n)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in (3, 1)
    ]
    clients = []
    try:
        for worker, n in zip(workers, (3, 1), strict=True):
            port = int(worker.stdout.readline())
            clients += [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(n)]
            assert worker.stdout.readline().strip() == "accepted"
            counts = connections_per_worker(os.getpid(), port)
            # This process's other children (none in a plain run) hold nothing on that port.
            assert counts[0] == n and sum(counts) == n, counts
            # The client's end of the same connections is not counted as the server's.
            assert connections_per_worker(worker.pid, port) == ()
    finally:
        for client in clients:
            client.close()
        for worker in workers:
            worker.stdin.close()
            worker.wait(timeout=30)
