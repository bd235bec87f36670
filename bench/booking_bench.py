"""Load benchmark for POST /api/booking/book (not part of the test suite): `make bench`.

Starts gunicorn on 127.0.0.1 against a fresh SQLite file, and against PostgreSQL when
DATABASE_URL is a postgres:// URL, fires a bounded number of concurrent bookings at one shop and
prints throughput, latency and whether any start time went over its capacity (it must not).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CAPACITY = 2
STARTS_PER_DAY = 9  # 08:00 through 16:00, hourly: the defaults
TIME_SLOTS = ["AM", "PM", "10:00", "", "14:00", "am", "11:30"]

COUNT_SCRIPT = """
import json
from django.db.models import Count, Sum
from booking.models import Booking, SeatCounter
slug = {slug!r}
active = Booking.objects.holding_seats().filter(shop__slug=slug)
per_start = active.values("scheduled_date", "scheduled_time").annotate(n=Count("id"))
seats = SeatCounter.objects.filter(shop__slug=slug).aggregate(total=Sum("booked"))["total"]
print(json.dumps({{
    "bookings": active.count(),
    "seats_taken": seats or 0,
    "over_capacity": sum(1 for row in per_start if row["n"] > {capacity}),
    "counter_over_capacity": SeatCounter.objects.filter(
        shop__slug=slug, booked__gt={capacity}).count(),
}}))
"""

CLEANUP_SCRIPT = """
from booking.models import Booking
from tenants.models import Shop
Booking.objects.filter(shop__slug={slug!r}).delete()
Shop.objects.filter(slug={slug!r}).delete()
"""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _manage(env: dict, *args: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def _server_env(database_url: str) -> dict:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        LOG_LEVEL="WARNING",
        # No collectstatic for a benchmark of a JSON endpoint; silence whitenoise's warning.
        PYTHONWARNINGS="ignore:No directory at",
        # Lift the public per-IP limits: every request of the benchmark comes from 127.0.0.1.
        PUBLIC_REQUESTS_PER_HOUR="100000000",
        PUBLIC_BOOKINGS_PER_HOUR="100000000",
    )
    return env


def _wait_until_up(base: str, server: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("gunicorn exited during start-up")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer /healthz within {seconds:.0f}s")


def _post(url: str, body: dict) -> tuple[int, float, dict]:
    data = json.dumps(body).encode()
    request = urllib.request.Request(
        url, data=data, headers={"Content-Type": "application/json"}, method="POST"
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            status, payload = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, payload = exc.code, exc.read()
    except (urllib.error.URLError, ConnectionError, TimeoutError) as exc:
        return -1, time.perf_counter() - started, {"error": repr(exc)}
    elapsed = time.perf_counter() - started
    try:
        return status, elapsed, json.loads(payload)
    except ValueError:
        return status, elapsed, {"error": payload[:200].decode(errors="replace")}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def run_backend(label: str, database_url: str, args: argparse.Namespace) -> dict:
    env = _server_env(database_url)
    slug = f"bench-{int(time.time())}-{secrets.token_hex(3)}"
    _manage(env, "migrate", "--noinput")
    _manage(
        env,
        "create_shop",
        slug,
        "--name",
        "Benchmark Appliance",
        "--jobs-per-start-time",
        str(CAPACITY),
        "--weekdays",
        "mon,tue,wed,thu,fri,sat,sun",
    )
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    # Every full date is a 400 that Django logs; keep the server's log out of the figures.
    log = open(args.log_dir / f"gunicorn-{port}.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "applianceops.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=PROJECT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        _wait_until_up(base, server)
        # Dates from the day after tomorrow on, so no start is inside the minimum notice.
        first = dt.date.today() + dt.timedelta(days=2)
        dates = [first + dt.timedelta(days=n) for n in range(args.days)]
        bodies = [
            {
                "slug": slug,
                "name": f"Bench Customer {i}",
                "phone": f"+1555{i % 10_000_000:07d}",
                "address": "123 Main St, Lancaster CA 93534",
                "appliance_type": "Refrigerator",
                "scheduled_date": dates[i % len(dates)].isoformat(),
                "time_slot": TIME_SLOTS[i % len(TIME_SLOTS)],
                "source": "bench",
            }
            for i in range(args.requests)
        ]
        url = base + "/api/booking/book"
        deadline = time.monotonic() + args.max_seconds
        results: list[tuple[int, float, dict]] = []
        lock = threading.Lock()

        def fire(body: dict) -> None:
            if time.monotonic() > deadline:
                return
            outcome = _post(url, body)
            with lock:
                results.append(outcome)

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            list(pool.map(fire, bodies))
        wall = time.perf_counter() - started
        counts_output = _manage(
            env, "shell", "-c", COUNT_SCRIPT.format(slug=slug, capacity=CAPACITY)
        )
        # The shell may print its own banner first; the figures are the last line.
        counts = json.loads(counts_output.strip().splitlines()[-1])
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()
    if database_url.startswith("postgres"):
        _manage(env, "shell", "-c", CLEANUP_SCRIPT.format(slug=slug))

    statuses = Counter(status for status, _, _ in results)
    if any(status >= 500 or status < 0 for status in statuses):
        server_log = (args.log_dir / f"gunicorn-{port}.log").read_text().splitlines()
        print("\n".join(line for line in server_log if "Bad Request" not in line)[-4000:])
    codes = Counter(data.get("code", "") for status, _, data in results if status == 400)
    latencies = [elapsed * 1000 for _, elapsed, _ in results]
    return {
        "backend": label,
        "workers": args.workers,
        "threads": args.threads,
        "sent": len(results),
        "seconds": wall,
        "rps": len(results) / wall if wall else 0.0,
        "p50_ms": statistics.median(latencies) if latencies else 0.0,
        "p95_ms": _percentile(latencies, 0.95) if latencies else 0.0,
        "created": statuses[201],
        "full_date_refusals": codes["no_availability"],
        "other_4xx": sum(n for s, n in statuses.items() if 400 <= s < 500)
        - codes["no_availability"],
        "errors_5xx": sum(n for s, n in statuses.items() if s >= 500),
        "transport_errors": statuses[-1],
        "seats": len(dates) * STARTS_PER_DAY * CAPACITY,
        **counts,
    }


def _report(result: dict) -> None:
    print(
        f"\n== {result['backend']}: {result['workers']} gunicorn workers, "
        f"{result['threads']} client threads"
    )
    print(
        f"  requests sent        {result['sent']} in {result['seconds']:.1f} s "
        f"= {result['rps']:.1f} requests/s"
    )
    print(f"  latency              p50 {result['p50_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms")
    print(
        f"  bookings created     {result['created']} (seats offered {result['seats']}, "
        f"seats taken {result['seats_taken']}, active bookings {result['bookings']})"
    )
    print(f"  date full (400)      {result['full_date_refusals']}")
    print(
        f"  other 4xx / 5xx      {result['other_4xx']} / {result['errors_5xx']}"
        f" (transport errors {result['transport_errors']})"
    )
    print(
        f"  overbooked starts    {result['over_capacity']} by bookings, "
        f"{result['counter_over_capacity']} by counters"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--days", type=int, default=20, help="dates the requests spread over")
    parser.add_argument("--max-seconds", type=float, default=120, help="stop sending after this")
    args = parser.parse_args()

    backends = []
    with tempfile.TemporaryDirectory(prefix="appops-bench-") as tmp:
        args.log_dir = Path(tmp)
        backends.append(("SQLite (fresh file)", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"))
        database_url = os.environ.get("DATABASE_URL", "")
        if database_url.startswith(("postgres://", "postgresql://")):
            backends.append(("PostgreSQL", database_url))
        failed = False
        for label, url in backends:
            result = run_backend(label, url, args)
            _report(result)
            if (
                result["over_capacity"]
                or result["counter_over_capacity"]
                or result["errors_5xx"]
                or result["created"] != result["seats_taken"]
            ):
                failed = True
    if failed:
        print("\nFAILED: overbooking, 5xx or seats out of step with bookings", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
