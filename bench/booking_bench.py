"""`make bench`: the booking API against a floor view, through gunicorn, as a user would compare.

For SQLite (a fresh file, local-memory cache: the embedded mode) and, when DATABASE_URL is a
postgres:// URL, for PostgreSQL + Redis (REDIS_URL), it starts one gunicorn with bench/settings.py
(the project's settings with DEBUG off, plus the floor view at /bench/floor) and alternates load
runs on the floor and on POST /api/booking/book. It prints booking and floor requests/s,
R1 = booking / floor (median of the pairs), p50 and p95 latency, the round trips of one booking
(counted in-process, bench/roundtrips.py), and checks the ledger: bookings = seats taken, no start
time over capacity, no 5xx. Exits non-zero when a check fails. Not part of `make test`.

The load generator is wrk (Debian: `apt-get install wrk`) with bench/bookings.lua so every body
differs; without wrk a bounded Python thread client stands in, and the output says which ran.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.load import Run, connections_per_worker, python_run, server_cpu_seconds, wrk_run
from bench.report import report

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN_CONF = PROJECT / "gunicorn.conf.py"
BOOKING_PATH = "/api/booking/book"
FLOOR_PATH = "/bench/floor"
HIGH_LIMIT = "1000000000"


@dataclass
class Backend:
    label: str
    database_url: str
    redis_url: str


# --- Processes --------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _server_env(backend: Backend, run_id: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DATABASE_URL")}
    env.update(
        DJANGO_SETTINGS_MODULE="bench.settings",
        DATABASE_URL=backend.database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        # No collectstatic for a JSON endpoint; silence whitenoise's warning about it.
        PYTHONWARNINGS="ignore:No directory at",
        # Every request of the benchmark comes from 127.0.0.1: the per-IP limits stay on (their
        # Redis commands are part of a booking's cost) but never answer.
        PUBLIC_REQUESTS_PER_HOUR=HIGH_LIMIT,
        PUBLIC_BOOKINGS_PER_HOUR=HIGH_LIMIT,
        # Counters of this run only, even in a Redis another run used.
        CACHE_KEY_PREFIX=f"bench-{run_id}",
    )
    if backend.redis_url:
        env["REDIS_URL"] = backend.redis_url
    return env


def _run(env: dict, *args: str, timeout: float = 600) -> str:
    result = subprocess.run(
        [PYTHON, *args], cwd=PROJECT, env=env, capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args[:3])} failed:\n{result.stdout[-2000:]}{result.stderr}")
    return result.stdout


def _harness(env: dict, step: str, **options) -> tuple[dict, str]:
    """Run one bench.harness step: (its JSON figures, whatever it printed before them)."""
    args = ["-m", "bench.harness", step]
    for name, value in options.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    lines = _run(env, *args).rstrip().splitlines()
    return json.loads(lines[-1]), "\n".join(lines[:-1])


def _gunicorn_command(port: int, workers: int) -> tuple[list[str], str]:
    command = [PYTHON, "-m", "gunicorn", "applianceops.wsgi"]
    if GUNICORN_CONF.exists():
        # The project's own configuration, as production runs it; only the address and the
        # worker count are the benchmark's.
        command += ["-c", str(GUNICORN_CONF)]
        described = f"gunicorn -c gunicorn.conf.py --workers {workers}"
    else:
        command += ["--log-level", "warning"]
        described = f"gunicorn --workers {workers} (sync workers; no gunicorn.conf.py)"
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    return command, described


def _wait_until_up(base: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up (see its log above)")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz within {seconds:.0f}s")


def _note_split(into: list, gunicorn_pid: int, port: int) -> None:
    into.append(connections_per_worker(gunicorn_pid, port))


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


# --- One backend ------------------------------------------------------------------------------


def run_backend(backend: Backend, args, log_dir: Path) -> bool:
    run_id = f"{int(time.time())}-{secrets.token_hex(3)}"
    slug = f"bench-{run_id}"
    env = _server_env(backend, run_id)
    _run(env, "manage.py", "migrate", "--noinput")
    setup, _ = _harness(env, "setup", slug=slug, days=args.days, jobs_per_start=args.jobs_per_start)
    trips, _ = _harness(
        env,
        "roundtrips",
        slug=slug,
        key=setup["key"],
        first_date=setup["first_date"],
        days=setup["days"],
        tag=f"rt{run_id}",
    )
    in_process_bookings = trips["bookings_created"]
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    command, gunicorn_described = _gunicorn_command(port, args.workers)
    load = wrk_run if args.client_used == "wrk" else python_run
    log_path = log_dir / f"gunicorn-{port}.log"
    floor_runs: list[Run] = []
    booking_runs: list[Run] = []
    warmups: list[Run] = []
    with open(log_path, "w") as log:
        server = subprocess.Popen(
            command,
            cwd=PROJECT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_up(base, server)
            # Warm both: the first requests of a worker import and compile what later ones reuse.
            for kind, path in (("floor", FLOOR_PATH), ("booking", BOOKING_PATH)):
                tag = f"w{kind[0]}{run_id}"
                warmups.append(load(kind, base + path, setup, slug, tag, args.warmup_seconds, args))
            for pair in range(args.pairs):
                # Each pair adds as many bookings as the tables held before it, in seconds; a
                # shop that got there over days has had its tables analysed by autovacuum (it
                # looks every minute and follows a tenth's growth). Outside the measured runs.
                _harness(env, "analyze", slug=slug)
                for kind, path, runs in (
                    ("floor", FLOOR_PATH, floor_runs),
                    ("booking", BOOKING_PATH, booking_runs),
                ):
                    tag = f"{kind[0]}{pair}x{run_id}"
                    before = server_cpu_seconds(server.pid)
                    split: list[tuple[int, ...]] = []
                    halfway = threading.Timer(
                        args.seconds / 2, _note_split, (split, server.pid, port)
                    )
                    halfway.start()
                    run = load(kind, base + path, setup, slug, tag, args.seconds, args)
                    run.server_cpu_seconds = server_cpu_seconds(server.pid) - before
                    halfway.join()
                    run.worker_connections = split[0] if split else ()
                    runs.append(run)
        finally:
            _stop(server)
    profile_text = ""
    if args.profile:
        profiled, profile_text = _harness(
            env,
            "profile",
            slug=slug,
            first_date=setup["first_date"],
            days=setup["days"],
            bookings=args.profile_bookings,
            tag=f"pr{run_id}",
        )
        in_process_bookings += profiled["bookings_created"]
    ledger, _ = _harness(env, "ledger", slug=slug)
    if backend.database_url.startswith("postgres"):
        _harness(env, "cleanup", slug=slug)

    every_run = warmups + floor_runs + booking_runs
    if any(run.server_errors or run.socket_errors for run in every_run):
        lines = log_path.read_text().splitlines()
        print("\n".join(line for line in lines if "Bad Request" not in line)[-4000:])
    return report(
        backend=backend,
        args=args,
        gunicorn=gunicorn_described,
        setup=setup,
        trips=trips,
        floor_runs=floor_runs,
        booking_runs=booking_runs,
        warmups=warmups,
        ledger=ledger,
        in_process_bookings=in_process_bookings,
        profile_text=profile_text,
    )


# --- Main -------------------------------------------------------------------------------------


def _bounded(low: float, high: float, kind=int):
    def parse(text: str):
        value = kind(text)
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"must be between {low:g} and {high:g}")
        return value

    return parse


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pairs", type=_bounded(1, 20), default=5, help="floor+booking pairs")
    parser.add_argument(
        "--seconds", type=_bounded(1, 60, float), default=8, help="length of each run"
    )
    parser.add_argument("--warmup-seconds", type=_bounded(0.5, 30, float), default=2)
    parser.add_argument("--workers", type=_bounded(1, 32), default=2, help="gunicorn workers")
    parser.add_argument("--connections", type=_bounded(1, 256), default=8)
    # One wrk thread drives 8 connections easily and leaves the CPU to the server under test.
    parser.add_argument("--wrk-threads", type=_bounded(1, 16), default=1)
    parser.add_argument(
        "--client", choices=["auto", "wrk", "python"], default="auto", help="load generator"
    )
    # Four months of dates: bookings spread so that no date fills, and each date's first booking
    # (which makes its seat counters, counted apart) is the exception it is in a real shop.
    parser.add_argument(
        "--days",
        type=_bounded(1, 360),
        default=120,
        help="dates booked (enough seats that capacity never answers)",
    )
    parser.add_argument(
        "--jobs-per-start",
        type=_bounded(1, 50),
        default=50,
        help="the bench shop's jobs per start time",
    )
    parser.add_argument("--profile", action="store_true", help="also profile one booking path")
    parser.add_argument("--profile-bookings", type=_bounded(10, 2000), default=200)
    parser.add_argument(
        "--sqlite-only", action="store_true", help="skip PostgreSQL even if DATABASE_URL is set"
    )
    parser.add_argument(
        "--postgresql-only", action="store_true", help="skip SQLite (DATABASE_URL must be set)"
    )
    args = parser.parse_args(argv)
    database_url = os.environ.get("DATABASE_URL", "")
    if args.postgresql_only and not database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--postgresql-only needs DATABASE_URL=postgres://...")

    wrk = shutil.which("wrk")
    if args.client == "wrk" and not wrk:
        raise SystemExit("wrk is not installed (Debian/Ubuntu: apt-get install wrk)")
    if args.client == "python" or not wrk:
        args.client_used = "python"
        args.client_described = (
            f"Python thread client, {args.connections} connections, one request at a time each"
        )
        if not wrk:
            args.client_described += (
                " (wrk not found: `apt-get install wrk` or `brew install wrk` for figures the"
                " client does not limit)"
            )
    else:
        args.client_used = "wrk"
        version = subprocess.run([wrk, "--version"], capture_output=True, text=True).stdout
        threads = min(args.wrk_threads, args.connections)
        args.client_described = (
            f"{version.split(' [')[0].strip() or 'wrk'}, {threads} thread{'s' * (threads > 1)}, "
            f"{args.connections} connections, bench/bookings.lua (every body differs)"
        )

    redis_url = os.environ.get("REDIS_URL", "")
    started = time.monotonic()
    print(
        f"make bench: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the start.\n"
        "A shared machine is noisy: compare ratios from alternating runs, not raw rates."
    )
    ok = True
    with tempfile.TemporaryDirectory(prefix="appops-bench-") as tmp:
        backends = [
            Backend(
                "SQLite (a fresh file) + local-memory cache",
                f"sqlite:///{Path(tmp) / 'bench.sqlite3'}",
                "",
            )
        ]
        if database_url.startswith(("postgres://", "postgresql://")) and not args.sqlite_only:
            label = "PostgreSQL + Redis" if redis_url else "PostgreSQL + local-memory cache"
            backends.append(Backend(label, database_url, redis_url))
            if not redis_url:
                print("REDIS_URL is not set: production runs PostgreSQL with Redis; set it.")
        else:
            print("DATABASE_URL is not a postgres:// URL: SQLite only.")
        if args.postgresql_only:
            backends = backends[1:]
        for backend in backends:
            ok = run_backend(backend, args, Path(tmp)) and ok
    print(f"\nmake bench took {time.monotonic() - started:.0f} s.")
    if not ok:
        print("FAILED: see the checks above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
