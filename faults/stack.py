"""The stack `make faults` runs against, on 127.0.0.1 only: throwaway PostgreSQL and Redis on
free ports, gunicorn with the shipped gunicorn.conf.py, the e-mail task worker, the
send_reminders loop and a local SMTP sink, each of which a scenario can make fail."""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
from pathlib import Path

import psycopg

from faults.smtp_sink import SmtpSink
from faults.throwaway import ThrowawayPostgres, ThrowawayRedis, free_port, wait_for_port

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SLUG = "faults-shop"
FROM_DOMAIN = "applianceops.local"
CLIENT_THREADS = 6
# E-mail timing the suite runs with: a send gives up after 5 s per step, so a claimed e-mail of
# a dead worker may be taken over after 60 s (the lease), and send_reminders looks every 10 s.
EMAIL_TIMEOUT = 5
EMAIL_LEASE_SECONDS = 60
REMINDER_EVERY = 10
# The longest any scenario waits for its e-mails after the fault: the mail server's refusal is
# retried after 1 min, and a dead worker's e-mail after the lease.
MAIL_DEADLINE = 300


class Stack:
    """Everything the scenarios break, started on free ports of 127.0.0.1."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.pg = ThrowawayPostgres()
        self.redis = ThrowawayRedis()
        self.sink = SmtpSink(free_port())
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env: dict[str, str] = {}
        self.notes: list[str] = []

    def start(self) -> None:
        self.pg.start()
        database_url = self.pg.create_database("faults_run")
        self.redis.start()
        self.sink.start()
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "REDIS_URL": self.redis.url(0),
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "false",
            "SITE_URL": self.base,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.sink.port),
            "EMAIL_TIMEOUT": str(EMAIL_TIMEOUT),
            "EMAIL_LEASE_SECONDS": str(EMAIL_LEASE_SECONDS),
            "DEFAULT_FROM_EMAIL": f"Faults <bookings@{FROM_DOMAIN}>",
            # Every client is 127.0.0.1: lift the per-IP limits (they still count in Redis).
            "PUBLIC_REQUESTS_PER_HOUR": "100000000",
            "PUBLIC_BOOKINGS_PER_HOUR": "100000000",
            "LOG_LEVEL": "WARNING",
            "PYTHONWARNINGS": "ignore:No directory at",
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "WEB_CONCURRENCY": "2",
        }
        self.manage("migrate", "--noinput")
        self.manage(
            "shell",
            "-c",
            "from tenants.services import shop_create; shop_create(name='Faults Appliance', "
            f"slug={SLUG!r}, notification_email='desk@{FROM_DOMAIN}', jobs_per_start_time=50, "
            "weekdays=list(range(7)))",
        )
        self.spawn("gunicorn", [PYTHON, "-m", "gunicorn", "-c", "gunicorn.conf.py"])
        self.start_worker()
        self.spawn(
            "reminders", [PYTHON, "manage.py", "send_reminders", "--every", str(REMINDER_EVERY)]
        )
        wait_for_port(self.port)

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=PROJECT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def spawn(self, name: str, command: list[str]) -> None:
        log = open(self.logs / f"{name}.log", "a")  # noqa: SIM115 (closed with the process)
        self.processes[name] = subprocess.Popen(
            command,
            cwd=PROJECT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_worker(self) -> None:
        self.spawn("worker", [PYTHON, "manage.py", "db_worker", "--no-reload", "--interval", "0.2"])

    def kill_worker(self) -> None:
        worker = self.processes["worker"]
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def stop(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        self.sink.stop()
        self.redis.stop()
        self.pg.destroy()

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.env["DATABASE_URL"].replace("postgres://", "postgresql://")) as c:
            return c.execute(sql, params).fetchall()
