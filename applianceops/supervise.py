"""Run a server with helpers beside it, restarting any helper that exits (used by `make run`).

    python -m applianceops.supervise --helper "manage.py db_worker --no-reload" \\
        --helper "manage.py send_reminders --every 300" -- manage.py runserver 127.0.0.1:8000

A helper (the e-mail worker, the reminder loop) that exits for any reason is started again,
after a pause that grows while it keeps failing, so e-mails never silently stop while the server
still answers. A --once command (make run's where_to_go) runs once, after the server is started,
and is not started again. When the server exits, or on Ctrl-C / SIGTERM, everything stops.
Production uses a real supervisor (systemd's Restart=always, see README); this is for one
terminal.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import subprocess
import sys
import time

# Pauses before restarting a helper that keeps exiting; one that ran a minute starts over.
RESTART_DELAYS = [1, 2, 5, 10, 30]
HEALTHY_AFTER = 60.0
POLL = 0.5
STOP_TIMEOUT = 10


def _say(message: str) -> None:
    print(f"supervise: {message}", file=sys.stderr, flush=True)


class Helper:
    def __init__(self, command: list[str]):
        self.command = command
        self.name = " ".join(command)
        self.process: subprocess.Popen | None = None
        self.started = 0.0
        self.failures = 0
        self.restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(self.command)
        self.started = time.monotonic()
        self.restart_at = None

    def check(self, now: float) -> None:
        """Start again a helper that exited, once its pause is over."""
        if self.process is not None and self.process.poll() is None:
            return
        if self.restart_at is None:
            code = self.process.returncode if self.process else None
            if now - self.started > HEALTHY_AFTER:
                self.failures = 0
            delay = RESTART_DELAYS[min(self.failures, len(RESTART_DELAYS) - 1)]
            self.failures += 1
            _say(f"{self.name!r} exited with code {code}; starting it again in {delay}s")
            self.restart_at = now + delay
        elif now >= self.restart_at:
            self.start()


def _stop(processes: list[subprocess.Popen]) -> None:
    running = [p for p in processes if p.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + STOP_TIMEOUT
    for process in running:
        try:
            process.wait(timeout=max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run(server: list[str], helpers: list[list[str]], once: list[list[str]] = ()) -> int:
    watched = [Helper(command) for command in helpers]
    stopping = False

    def stop(signum, frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for helper in watched:
        helper.start()
    main = subprocess.Popen(server)
    # Started after the server and never again (make run's where_to_go, which waits for the
    # server to listen and then says where to go); stopped with the rest if still running.
    one_shots = [subprocess.Popen(command) for command in once]
    try:
        while not stopping and main.poll() is None:
            now = time.monotonic()
            for helper in watched:
                helper.check(now)
            time.sleep(POLL)
    finally:
        _stop([main, *one_shots] + [h.process for h in watched if h.process is not None])
    return 0 if stopping else main.returncode


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--helper", action="append", default=[], help="a command to keep running (repeatable)"
    )
    parser.add_argument(
        "--once",
        action="append",
        default=[],
        help="a command to run once beside the server, not started again (repeatable)",
    )
    parser.add_argument("server", nargs=argparse.REMAINDER, help="-- the server command")
    args = parser.parse_args(argv)
    server = args.server[1:] if args.server[:1] == ["--"] else args.server
    if not server:
        parser.error("give the server command after --")
    return run(
        server,
        [shlex.split(command) for command in args.helper],
        [shlex.split(command) for command in args.once],
    )


if __name__ == "__main__":
    sys.exit(main())
