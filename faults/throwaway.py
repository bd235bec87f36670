"""Throwaway PostgreSQL and Redis on free ports of 127.0.0.1, for fault tests and `make faults`.

Never the machine's own services: a fault test stops and restarts what it starts, so it starts
its own, in a temporary folder, and removes them when done.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, *, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing answered on 127.0.0.1:{port} within {seconds:.0f}s")


def postgres_available() -> bool:
    return (PG_BIN / "initdb").exists() and (PG_BIN / "pg_ctl").exists()


class ThrowawayPostgres:
    """A PostgreSQL cluster of its own: initdb in `folder`, listening on 127.0.0.1:<free port>.

    PostgreSQL refuses to run as root, so as root the cluster belongs to the `postgres` user;
    the database superuser is `root` either way, with trust authentication (local only).
    """

    def __init__(self):
        # Its own folder straight under /tmp: a pytest tmp_path is root's alone (mode 700), and
        # the postgres user must reach it.
        self.folder = Path(tempfile.mkdtemp(prefix="applianceops-pg-"))
        self.data = self.folder / "pgdata"
        self.log = self.folder / "postgres.log"
        self.port = free_port()

    def _run(self, *args: str, timeout: float = 120) -> None:
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if result.returncode != 0:
            log = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(command)} failed:\n{result.stderr}{log}")

    def start(self) -> ThrowawayPostgres:
        if not self.data.exists():
            if os.geteuid() == 0:
                shutil.chown(self.folder, "postgres")
            self._run(
                PG_BIN / "initdb",
                "-D",
                self.data,
                "-U",
                "root",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
            )
        self._pg_ctl("start")
        return self

    def _pg_ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run(
            PG_BIN / "pg_ctl",
            action,
            "-D",
            self.data,
            "-o",
            options,
            "-l",
            self.log,
            "-w",
            "-t",
            "60",
            *extra,
        )

    def stop(self) -> None:
        """Fast shutdown: every connection is cut, as when the database server goes down."""
        self._pg_ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def create_database(self, name: str) -> str:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgres://root@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            try:
                self._pg_ctl("stop", "-m", "immediate")
            except RuntimeError:
                pass
        shutil.rmtree(self.folder, ignore_errors=True)


class ThrowawayRedis:
    """redis-server on 127.0.0.1:<free port>, no persistence; stop() and start() at will."""

    def __init__(self):
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> ThrowawayRedis:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=30)
        self.process = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"
