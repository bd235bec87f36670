"""What `make bench` prints for one backend, and whether its checks passed."""

from __future__ import annotations

import statistics
import textwrap
from collections import Counter


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


def _split(run) -> str:
    """wrk's connections per gunicorn worker halfway through the run: "5+3"."""
    return "+".join(map(str, run.worker_connections)) or "-"


def _trips_line(figures: dict) -> str:
    cache_word = "Redis" if figures["cache_is_redis"] else "cache calls"
    return f"{figures['total']} ({len(figures['sql'])} SQL + {len(figures['cache'])} {cache_word})"


def report(
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
    print("  pair   floor req/s  p50 ms  p95 ms   booking req/s  p50 ms  p95 ms     R1  per worker")
    for number, (floor, booking) in enumerate(pairs, start=1):
        print(
            f"  {number:>4}  {floor.rate:11.1f} {floor.p50_ms:7.1f} {floor.p95_ms:7.1f}"
            f"  {booking.rate:14.1f} {booking.p50_ms:7.1f} {booking.p95_ms:7.1f}"
            f"  {booking.rate / floor.rate if floor.rate else 0:6.3f}"
            f"  {_split(floor)} {_split(booking)}"
        )
    lopsided = [
        f"pair {number}'s {run.kind}"
        for number, pair in enumerate(pairs, start=1)
        for run in pair
        if len(run.worker_connections) > 1 and run.worker_connections[1] == 0
    ]
    if lopsided:
        _say(
            "note",
            f"{', '.join(lopsided)}: every connection on one worker, the other idle. A gthread "
            "worker keeps the keep-alive connections it accepts and the kernel does not balance "
            "them; such a run goes at about half speed on a CPU-bound path, hence the median.",
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
    cpu_ratios = [
        floor.cpu_ms / booking.cpu_ms if booking.cpu_ms else 0.0 for floor, booking in pairs
    ]
    _say(
        "CPU",
        "server CPU (gunicorn, PostgreSQL, Redis) per created answer: booking "
        f"{statistics.median(run.cpu_ms for run in booking_runs):.2f} ms, floor "
        f"{statistics.median(run.cpu_ms for run in floor_runs):.2f} ms; floor / booking = "
        f"{statistics.median(cpu_ratios):.3f} (median of the pairs; range "
        f"{min(cpu_ratios):.3f}-{max(cpu_ratios):.3f}), steadier than R1 on a shared host",
    )
    _say(
        "trips",
        f"round trips per booking: public {_trips_line(trips['public'])}, "
        f"partner key {_trips_line(trips['key'])}; the floor {_trips_line(trips['floor'])}; "
        f"a date's first booking (makes its seat counters) {_trips_line(trips['first_of_date'])}",
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
