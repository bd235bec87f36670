"""What the benchmark reads off the server beside the rates (which worker holds which of the
client's connections), and how the report shows it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from types import SimpleNamespace

from bench.load import Run, connections_per_worker
from bench.report import report

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


def run(kind: str, rate: float, *split: int) -> Run:
    seconds = 8.0
    created = int(rate * seconds)
    return Run(
        kind=kind,
        seconds=seconds,
        requests=created,
        created=created,
        date_full=0,
        other_4xx=0,
        server_errors=0,
        other=0,
        socket_errors=0,
        p50_ms=5.0,
        p95_ms=10.0,
        server_cpu_seconds=created * 0.002,
        worker_connections=split,
    )


def printed_report(capsys, floor_runs: list[Run], booking_runs: list[Run]) -> str:
    trips = {"sql": ["BEGIN", "COMMIT"], "cache": ["EVALSHA"], "total": 3, "cache_is_redis": True}
    booked = sum(r.created for r in booking_runs)
    passed = report(
        backend=SimpleNamespace(label="PostgreSQL + Redis"),
        args=SimpleNamespace(
            pairs=len(floor_runs), seconds=8, warmup_seconds=2, connections=8, client_used="wrk",
            client_described="wrk",
        ),
        gunicorn="gunicorn --workers 2",
        setup={"seats": 100_000, "days": 120, "starts_per_day": 9, "capacity": 50},
        trips={name: trips for name in ("public", "key", "floor", "first_of_date")},
        floor_runs=floor_runs,
        booking_runs=booking_runs,
        warmups=[],
        ledger={
            "bookings": booked, "holding_seats": booked, "seats_taken": booked,
            "over_capacity": 0, "counters_over_capacity": 0,
            "floor_rows": sum(r.created for r in floor_runs) + 2,
        },
        in_process_bookings=0,
        profile_text="",
    )  # fmt: skip
    assert passed
    return capsys.readouterr().out


def test_the_report_shows_each_runs_split_and_names_a_run_one_worker_served_alone(capsys):
    out = printed_report(
        capsys,
        [run("floor", 1300, 5, 3), run("floor", 1250, 4, 4), run("floor", 1280, 7, 1)],
        [run("booking", 520, 7, 1), run("booking", 270, 8, 0), run("booking", 515, 6, 2)],
    )

    assert "0.400  5+3 7+1" in out
    assert "0.216  4+4 8+0" in out
    assert "pair 2's booking: every connection on one worker" in out
    assert "pair 1's" not in out and "pair 3's" not in out
    assert "R1       booking / floor = 0.400 (median of 3 pairs" in out


def test_the_report_names_no_run_when_the_workers_shared_the_connections(capsys):
    out = printed_report(capsys, [run("floor", 1300, 4, 4)], [run("booking", 520, 5, 3)])

    assert "5+3" in out
    assert "every connection on one worker" not in out
