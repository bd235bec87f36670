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
import http.client
import itertools
import json
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
LUA_SCRIPT = PROJECT / "bench" / "bookings.lua"
GUNICORN_CONF = PROJECT / "gunicorn.conf.py"
BOOKING_PATH = "/api/booking/book"
FLOOR_PATH = "/bench/floor"
HIGH_LIMIT = "1000000000"


@dataclass
class Run:
    """One load run's answers and timings."""

    kind: str
    seconds: float
    requests: int
    created: int
    date_full: int
    other_4xx: int
    server_errors: int
    other: int
    socket_errors: int
    p50_ms: float
    p95_ms: float

    @property
    def rate(self) -> float:
        """Created (201) answers per second: refusals never pad it."""
        return self.created / self.seconds if self.seconds else 0.0


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


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


# --- Load -------------------------------------------------------------------------------------


def _wrk_run(kind: str, url: str, setup: dict, slug: str, tag: str, seconds: float, args) -> Run:
    threads = min(args.wrk_threads, args.connections)
    command = [
        "wrk",
        "-t",
        str(threads),
        "-c",
        str(args.connections),
        "-d",
        f"{seconds:g}s",
        "--timeout",
        "10s",
        "-s",
        str(LUA_SCRIPT),
        url,
        "--",
        slug,
        setup["first_date"],
        str(setup["days"]),
        tag,
        str(threads),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    line = next((row for row in result.stdout.splitlines() if row.startswith("BENCH_JSON ")), None)
    if result.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed:\n{result.stdout}\n{result.stderr}")
    figures = json.loads(line.removeprefix("BENCH_JSON "))
    return Run(
        kind=kind,
        seconds=figures["duration_us"] / 1e6,
        requests=figures["requests"],
        created=figures["created"],
        date_full=figures["date_full"],
        other_4xx=figures["other_4xx"],
        server_errors=figures["server_errors"],
        other=figures["other"],
        socket_errors=figures["socket_errors"],
        p50_ms=figures["p50_us"] / 1000,
        p95_ms=figures["p95_us"] / 1000,
    )


def _percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def _python_run(kind: str, url: str, setup: dict, slug: str, tag: str, seconds: float, args) -> Run:
    """The stand-in for wrk: `connections` threads, each one request at a time, for a while."""
    import datetime as dt

    from bench.bodies import booking_body

    host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
    path = "/" + url.split("//", 1)[1].split("/", 1)[1]
    first_date = dt.date.fromisoformat(setup["first_date"])
    numbers = itertools.count()
    lock = threading.Lock()
    outcomes: list[tuple[int, float, bytes]] = []
    socket_errors = 0
    deadline = time.monotonic() + seconds

    def client() -> None:
        nonlocal socket_errors
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        # Bounded twice: by the deadline and by a request count no run could reach.
        for _ in range(1_000_000):
            if time.monotonic() >= deadline:
                break
            with lock:
                n = next(numbers)
            body = json.dumps(
                booking_body(slug=slug, tag=tag, n=n, first_date=first_date, days=setup["days"])
            )
            started = time.perf_counter()
            try:
                connection.request(
                    "POST", path, body=body, headers={"Content-Type": "application/json"}
                )
                response = connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                with lock:
                    socket_errors += 1
                continue
            elapsed = time.perf_counter() - started
            with lock:
                outcomes.append((response.status, elapsed, payload))
        connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=client) for _ in range(args.connections)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=seconds + 60)
    seconds = time.perf_counter() - started
    statuses = [status for status, _, _ in outcomes]
    date_full = sum(
        1 for status, _, payload in outcomes if status == 400 and b'"no_availability"' in payload
    )
    latencies = [elapsed * 1000 for _, elapsed, _ in outcomes]
    return Run(
        kind=kind,
        seconds=seconds,
        requests=len(outcomes),
        created=statuses.count(201),
        date_full=date_full,
        other_4xx=sum(1 for s in statuses if 400 <= s < 500) - date_full,
        server_errors=sum(1 for s in statuses if s >= 500),
        other=sum(1 for s in statuses if s < 400 and s != 201),
        socket_errors=socket_errors,
        p50_ms=_percentile(latencies, 0.50),
        p95_ms=_percentile(latencies, 0.95),
    )


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
    load = _wrk_run if args.client_used == "wrk" else _python_run
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
                for kind, path, runs in (
                    ("floor", FLOOR_PATH, floor_runs),
                    ("booking", BOOKING_PATH, booking_runs),
                ):
                    tag = f"{kind[0]}{pair}x{run_id}"
                    runs.append(load(kind, base + path, setup, slug, tag, args.seconds, args))
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
    return _report(
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


# --- Report -----------------------------------------------------------------------------------


def _say(label: str, text: str) -> None:
    """One figure of the report: a label, then the text wrapped under itself at 100 columns."""
    print(
        textwrap.fill(
            text,
            width=100,
            initial_indent=f"  {label:<8} ",
            subsequent_indent=" " * 11,
            break_on_hyphens=False,
        )
    )


def _say_list(head: str, items: list[str]) -> None:
    """A list of statements, wrapped between items so that none is split."""
    line = " " * 11 + head
    for number, item in enumerate(items):
        text = item + ("," if number < len(items) - 1 else "")
        if len(line) + 1 + len(text) > 100:
            print(line)
            line = " " * 13 + text
        else:
            line += " " + text
    print(line)


def _trips_line(figures: dict) -> str:
    cache_word = "Redis" if figures["cache_is_redis"] else "cache calls"
    return f"{figures['total']} ({len(figures['sql'])} SQL + {len(figures['cache'])} {cache_word})"


def _report(
    *,
    backend,
    args,
    gunicorn,
    setup,
    trips,
    floor_runs,
    booking_runs,
    warmups,
    ledger,
    in_process_bookings,
    profile_text,
) -> bool:
    pairs = list(zip(floor_runs, booking_runs, strict=True))
    ratios = [booking.rate / floor.rate if floor.rate else 0.0 for floor, booking in pairs]
    r1 = statistics.median(ratios)
    booking_rate = statistics.median(run.rate for run in booking_runs)
    floor_rate = statistics.median(run.rate for run in floor_runs)
    every_run = warmups + floor_runs + booking_runs
    bookings_sent = [run for run in warmups + booking_runs if run.kind == "booking"]
    floors_sent = [run for run in warmups + floor_runs if run.kind == "floor"]
    created = sum(run.created for run in bookings_sent)
    date_full = sum(run.date_full for run in bookings_sent)
    other_4xx = sum(run.other_4xx for run in every_run)
    server_errors = sum(run.server_errors for run in every_run)
    socket_errors = sum(run.socket_errors for run in every_run)
    expected_bookings = created + in_process_bookings
    # The floor's own in-process requests (two) are added by the round-trip step.
    expected_floor_rows = sum(run.created for run in floors_sent) + 2
    # wrk stops reading when a run's time is up: requests still in flight then are served (and
    # book) but never counted, at most one per connection and run.
    in_flight = args.connections if args.client_used == "wrk" else 0
    uncounted_bookings = ledger["bookings"] - expected_bookings
    uncounted_floor_rows = ledger["floor_rows"] - expected_floor_rows

    checks = {
        "every 201 is a booking": 0 <= uncounted_bookings <= in_flight * len(bookings_sent),
        "bookings = seats taken": ledger["holding_seats"] == ledger["seats_taken"],
        "0 over capacity": ledger["over_capacity"] == 0 and ledger["counters_over_capacity"] == 0,
        "0 5xx": server_errors == 0,
        "no rate limit or other 4xx answered": other_4xx == 0,
        "every floor 201 is a row": 0 <= uncounted_floor_rows <= in_flight * len(floors_sent),
    }

    print(f"\n== {backend.label}")
    _say("server", f"{gunicorn}, DEBUG off, bench/settings.py (the project's + /bench/floor)")
    _say("client", args.client_described)
    _say(
        "runs",
        f"{args.pairs} pair{'s' * (args.pairs > 1)} of {args.seconds:g} s (floor, then booking), "
        f"after a {args.warmup_seconds:g} s warm-up of each",
    )
    print("  pair   floor req/s  p50 ms  p95 ms   booking req/s  p50 ms  p95 ms     R1")
    for number, (floor, booking) in enumerate(pairs, start=1):
        print(
            f"  {number:>4}  {floor.rate:11.1f} {floor.p50_ms:7.1f} {floor.p95_ms:7.1f}"
            f"  {booking.rate:14.1f} {booking.p50_ms:7.1f} {booking.p95_ms:7.1f}"
            f"  {booking.rate / floor.rate if floor.rate else 0:6.3f}"
        )
    for name, rate, runs in (
        ("booking", booking_rate, booking_runs),
        ("floor", floor_rate, floor_runs),
    ):
        p50 = statistics.median(run.p50_ms for run in runs)
        p95 = statistics.median(run.p95_ms for run in runs)
        _say(name, f"{rate:.1f} req/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms (medians of the runs)")
    _say(
        "R1",
        f"booking / floor = {r1:.3f} (median of {len(ratios)} pairs; "
        f"range {min(ratios):.3f}-{max(ratios):.3f})",
    )
    _say(
        "trips",
        f"round trips per booking: public {_trips_line(trips['public'])}, "
        f"partner key {_trips_line(trips['key'])}; the floor {_trips_line(trips['floor'])}",
    )
    _say_list("public:", trips["public"]["sql"] + trips["public"]["cache"])
    key_only = list(
        (
            Counter(trips["key"]["sql"] + trips["key"]["cache"])
            - Counter(trips["public"]["sql"] + trips["public"]["cache"])
        ).elements()
    )
    if key_only:
        _say_list("a partner key adds:", key_only)
    _say(
        "answers",
        f"{created} bookings created (201), {date_full} date full (400 no_availability, "
        f"not in the rate), {other_4xx} other 4xx, {server_errors} 5xx, "
        f"{socket_errors} socket errors",
    )
    _say(
        "ledger",
        f"{ledger['bookings']} bookings = {created} answered 201 + {in_process_bookings} "
        f"in-process + {uncounted_bookings} in flight when a run ended; "
        f"{ledger['holding_seats']} hold seats, {ledger['seats_taken']} seats taken of "
        f"{setup['seats']} offered ({setup['days']} dates x {setup['starts_per_day']} starts x "
        f"{setup['capacity']}); over capacity: {ledger['over_capacity']} start times by "
        f"bookings, {ledger['counters_over_capacity']} by counters",
    )
    failed = [name for name, ok in checks.items() if not ok]
    _say("checks", "all passed" if not failed else "FAILED: " + ", ".join(failed))
    if date_full:
        _say(
            "note",
            f"{date_full} bookings found their date full: capacity answered them. "
            "Raise --jobs-per-start or --days so the rate measures the booking path.",
        )
    if profile_text:
        _say("profile", "one public booking, in-process, same settings and database:")
        print(profile_text)
    return not failed


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
    parser.add_argument("--days", type=_bounded(1, 360), default=360, help="dates booked")
    parser.add_argument(
        "--jobs-per-start",
        type=_bounded(1, 50),
        default=20,
        help="the bench shop's jobs per start time",
    )
    parser.add_argument("--profile", action="store_true", help="also profile one booking path")
    parser.add_argument("--profile-bookings", type=_bounded(10, 2000), default=200)
    parser.add_argument(
        "--sqlite-only", action="store_true", help="skip PostgreSQL even if DATABASE_URL is set"
    )
    args = parser.parse_args(argv)

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

    database_url = os.environ.get("DATABASE_URL", "")
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
        for backend in backends:
            ok = run_backend(backend, args, Path(tmp)) and ok
    print(f"\nmake bench took {time.monotonic() - started:.0f} s.")
    if not ok:
        print("FAILED: see the checks above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
