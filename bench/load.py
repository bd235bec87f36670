"""The load of `make bench`: wrk with bench/bookings.lua, or a Python thread client in its place.

Each run sends realistic bookings (bench/bodies.py; bookings.lua mirrors it) for a while and
sorts the answers: 201, 400 no_availability (a full date, counted apart), other 4xx, 5xx.
"""

from __future__ import annotations

import http.client
import itertools
import json
import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

LUA_SCRIPT = Path(__file__).resolve().parent / "bookings.lua"


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
    server_cpu_seconds: float = 0.0  # gunicorn, PostgreSQL and Redis during the run
    # The client's connections held by each gunicorn worker halfway through the run, most first.
    worker_connections: tuple[int, ...] = ()

    @property
    def rate(self) -> float:
        """Created (201) answers per second: refusals never pad it."""
        return self.created / self.seconds if self.seconds else 0.0

    @property
    def cpu_ms(self) -> float:
        """Server CPU per created answer, in ms: what a request costs the machine, which a
        neighbour's load on a shared host moves far less than it moves the rate."""
        return self.server_cpu_seconds / self.created * 1000 if self.created else 0.0


def server_cpu_seconds(gunicorn_pid: int) -> float:
    """CPU seconds used so far by the server side on this machine: the gunicorn master and its
    workers, and every PostgreSQL and Redis process (the load generator is not counted).
    Read from Linux's /proc; 0 where there is none."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue  # the process ended meanwhile
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        pid, parent = int(stat.parent.name), int(fields[1])
        if pid == gunicorn_pid or parent == gunicorn_pid or name in ("postgres", "redis-server"):
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def connections_per_worker(gunicorn_pid: int, port: int) -> tuple[int, ...]:
    """How many established connections to `port` each child of `gunicorn_pid` holds, most
    first. A gthread worker keeps every keep-alive connection it accepts, and the kernel does
    not balance accepts between workers: all of wrk's connections on one worker leave the
    other idle for the whole run (seen with `ss`). Read from Linux's /proc; () where there is
    none."""
    established = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == "01":  # 01: ESTABLISHED
                established.add(f"socket:[{fields[9]}]")
    counts = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            if int(text[text.rindex(")") + 2 :].split()[1]) != gunicorn_pid:
                continue
            fds = list((stat.parent / "fd").iterdir())
            counts.append(sum(1 for fd in fds if os.readlink(fd) in established))
        except OSError:
            continue  # the process or a descriptor ended meanwhile
    return tuple(sorted(counts, reverse=True))


def wrk_run(kind: str, url: str, setup: dict, slug: str, tag: str, seconds: float, args) -> Run:
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


def python_run(kind: str, url: str, setup: dict, slug: str, tag: str, seconds: float, args) -> Run:
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
