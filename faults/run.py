"""`make faults`: bookings keep their promises while the machinery around them fails.

Starts, on 127.0.0.1 only, a throwaway PostgreSQL cluster and Redis on free ports, gunicorn with
the shipped gunicorn.conf.py, the e-mail task worker, the send_reminders loop and a local SMTP
sink. Then, scenario by scenario, several client threads send bookings (each with its own
work-order number, retried with back-off on a 5xx or a dropped connection, as the contract allows)
while one thing fails:

  a  PostgreSQL restarts (down a few seconds)
  b  Redis is stopped for 20 s
  c  the mail server refuses everything for a minute
  d  the task worker is killed (SIGKILL) in the middle of sending an e-mail, then restarted
  e  four uploads stall (headers sent, body never finished) the whole time

For each it prints a row: 201s, bookings in the database, LOST (a 201 with no booking),
DUPLICATED (a work order booked twice), 5xx and dropped connections seen, whether every e-mail
of those bookings reached the mail server exactly once, seconds until everything was whole
again after the fault ended, and `manage.py check_ledger`. Any LOST, DUPLICATED, e-mail not sent
exactly once or failed ledger check makes it exit 1. Bounded: every wait has a deadline.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from faults.stack import CLIENT_THREADS, FROM_DOMAIN, MAIL_DEADLINE, SLUG, Stack

# --- The clients ----------------------------------------------------------------------------


@dataclass
class Outcome:
    status: int = 0
    server_errors: int = 0
    dropped: int = 0
    answered_at: float = 0.0


@dataclass
class Batch:
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    failures: list[float] = field(default_factory=list)  # when a 5xx or a drop was seen
    lock: threading.Lock = field(default_factory=threading.Lock)


RETRY_DELAYS = [0.5, 1, 2, 4, 8, 8]


def _body(work_order: str, index: int) -> dict:
    day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 86400 * (3 + index % 20)))
    return {
        "slug": SLUG,
        "name": f"Faults Customer {work_order}",
        "phone": f"+1555{index % 10_000_000:07d}",
        "email": f"{work_order.lower()}@{FROM_DOMAIN}",
        "address": "123 Main St, Lancaster CA 93534",
        "appliance_type": "Refrigerator",
        "scheduled_date": day,
        "time_slot": "AM" if index % 2 else "PM",
        "source": "faults",
        "work_order_number": work_order,
    }


def _post(url: str, body: dict) -> int:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except (urllib.error.URLError, OSError):
        return -1


def book_one(base: str, work_order: str, index: int, batch: Batch) -> None:
    """One partner booking one work order: retried on a 5xx or a drop, as the contract allows."""
    outcome = Outcome()
    for delay in [*RETRY_DELAYS, None]:
        status = _post(base + "/api/booking/book", _body(work_order, index))
        if status >= 500 or status < 0:
            if status < 0:
                outcome.dropped += 1
            else:
                outcome.server_errors += 1
            with batch.lock:
                batch.failures.append(time.time())
            if delay is not None:
                time.sleep(delay)
                continue
        outcome.status = status
        break
    outcome.answered_at = time.time()
    with batch.lock:
        batch.outcomes[work_order] = outcome


def send_batch(base: str, prefix: str, count: int, spread: float, batch: Batch) -> None:
    """`count` bookings from CLIENT_THREADS threads, spread over about `spread` seconds."""
    per_thread = max(count // CLIENT_THREADS, 1)
    pause = spread / per_thread

    def client(thread: int) -> None:
        for n in range(per_thread):
            index = thread * per_thread + n
            book_one(base, f"{prefix}-{index:04d}", index, batch)
            time.sleep(pause)

    with ThreadPoolExecutor(max_workers=CLIENT_THREADS) as pool:
        list(pool.map(client, range(CLIENT_THREADS)))


# --- The scenarios --------------------------------------------------------------------------


def restart_postgres(stack: Stack) -> None:
    stack.pg.stop()
    time.sleep(3)
    stack.pg.start()


def stop_redis(stack: Stack) -> None:
    stack.redis.stop()
    time.sleep(20)
    stack.redis.start()


def refuse_mail(stack: Stack) -> None:
    stack.sink.refusing = True
    time.sleep(60)
    stack.sink.refusing = False


def kill_worker_mid_send(stack: Stack) -> None:
    # Slow the mail server down so that "mid-send" is a moment that can be hit on purpose.
    stack.sink.data_delay = 0.5
    deadline = time.monotonic() + 60
    while stack.sink.receiving == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    stack.notes.append(
        "d: the worker was killed while the mail server held an unanswered message"
        if stack.sink.receiving
        else "d: the worker was killed, but not during a send (none started within 60 s)"
    )
    stack.kill_worker()
    stack.sink.data_delay = 0.0
    time.sleep(1)
    # What systemd's Restart=always (or `make run`'s supervisor) does.
    stack.start_worker()


def stalled_uploads(stack: Stack, seconds: float) -> None:
    stalled = []
    for _ in range(4):
        sock = socket.create_connection(("127.0.0.1", stack.port), timeout=5)
        sock.sendall(
            b"POST /api/booking/book HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            b"Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"
        )
        stalled.append(sock)
    time.sleep(seconds)
    for sock in stalled:
        sock.close()


SCENARIOS = {
    "a": ("PostgreSQL restarted", restart_postgres, 10),
    "b": ("Redis stopped 20 s", stop_redis, 26),
    "c": ("SMTP refuses 60 s", refuse_mail, 66),
    "d": ("worker killed mid-send", kill_worker_mid_send, 10),
    "e": ("4 stalled uploads", lambda stack: stalled_uploads(stack, 12), 10),
}


@dataclass
class Row:
    name: str
    created: int
    in_database: int
    lost: int
    duplicated: int
    server_errors: int
    dropped: int
    emails: int
    emails_once: int
    emails_twice_or_more: int
    emails_missing: int
    recovered_after: float
    ledger_clean: bool
    ledger_output: str

    @property
    def ok(self) -> bool:
        return (
            not self.lost
            and not self.duplicated
            and self.emails == self.emails_once
            and self.ledger_clean
        )


def _message_id(booking_id, notification_id: int) -> str:
    return f"<{booking_id}.{notification_id}@{FROM_DOMAIN}>"


def _wait_for_mail(stack: Stack, prefix: str, deadline: float) -> tuple[dict[str, int], float]:
    """Wait until no e-mail of the batch is waiting or being sent: {message id: deliveries}."""
    while True:
        rows = stack.query(
            "SELECT n.id, n.booking_id, n.status FROM booking_notification n "
            "JOIN booking_booking b ON b.id = n.booking_id WHERE b.work_order_number LIKE %s",
            (prefix + "-%",),
        )
        open_rows = [row for row in rows if row[2] in ("pending", "sending")]
        if (not open_rows and rows) or time.time() > deadline:
            break
        time.sleep(0.5)
    wanted = {_message_id(booking_id, pk) for pk, booking_id, _ in rows}
    accepted = [a for a in stack.sink.snapshot() if a.message_id in wanted]
    counts = Counter(a.message_id for a in accepted)
    last = max((a.at for a in accepted), default=0.0)
    return {message_id: counts.get(message_id, 0) for message_id in wanted}, last


def run_scenario(stack: Stack, key: str, count: int) -> Row:
    name, inject, spread = SCENARIOS[key]
    prefix = f"WO{key.upper()}"
    batch = Batch()
    sender = threading.Thread(target=send_batch, args=(stack.base, prefix, count, spread, batch))
    if key == "e":
        # The uploads stall before the first booking and stay stalled past the last.
        fault = threading.Thread(target=inject, args=(stack,))
        fault.start()
        time.sleep(0.5)
        sender.start()
        sender.join(timeout=600)
        fault.join(timeout=600)
        fault_end = max(o.answered_at for o in batch.outcomes.values())
    else:
        sender.start()
        time.sleep(2)
        inject(stack)
        fault_end = time.time()
        sender.join(timeout=600)
    mail, last_mail = _wait_for_mail(stack, prefix, fault_end + MAIL_DEADLINE)
    bookings = Counter(
        wo
        for (wo,) in stack.query(
            "SELECT work_order_number FROM booking_booking WHERE work_order_number LIKE %s",
            (prefix + "-%",),
        )
    )
    # A retry whose first try booked (its answer lost to the fault) hears 200 with that booking
    # and "duplicate": true (the work-order dedupe, issue 13): a booking answered all the same.
    created = {wo for wo, o in batch.outcomes.items() if o.status in (200, 201)}
    ledger = stack.manage("check_ledger")
    last_failure = max(batch.failures, default=0.0)
    return Row(
        name=f"{key}  {name}",
        created=len(created),
        in_database=sum(bookings.values()),
        lost=len(created - set(bookings)),
        duplicated=sum(1 for n in bookings.values() if n > 1),
        server_errors=sum(o.server_errors for o in batch.outcomes.values()),
        dropped=sum(o.dropped for o in batch.outcomes.values()),
        emails=len(mail),
        emails_once=sum(1 for n in mail.values() if n == 1),
        emails_twice_or_more=sum(1 for n in mail.values() if n > 1),
        emails_missing=sum(1 for n in mail.values() if n == 0),
        recovered_after=max(last_failure, last_mail, fault_end) - fault_end,
        ledger_clean=ledger.returncode == 0,
        ledger_output=(ledger.stdout + ledger.stderr).strip(),
    )


# --- The report -----------------------------------------------------------------------------

HEADER = (
    "| scenario | 201s | bookings in db | LOST | DUPLICATED | 5xx | dropped | "
    "e-mails exactly once | recovered after (s) | ledger |"
)


def format_row(row: Row) -> str:
    if row.emails == row.emails_once:
        mail = f"yes ({row.emails}/{row.emails})"
    else:
        mail = (
            f"NO ({row.emails_once} once, {row.emails_twice_or_more} twice+, "
            f"{row.emails_missing} missing)"
        )
    return (
        f"| {row.name} | {row.created} | {row.in_database} | {row.lost} | {row.duplicated} | "
        f"{row.server_errors} | {row.dropped} | {mail} | {row.recovered_after:.1f} | "
        f"{'clean' if row.ledger_clean else 'FAILED'} |"
    )


def exactly_once_window(stack: Stack) -> list[float]:
    """Milliseconds from the mail server's 250 to the row marked sent, for every e-mail."""
    accepted = {}
    for a in stack.sink.snapshot():
        accepted.setdefault(a.message_id, a.at)
    gaps = []
    for pk, booking_id, sent_at in stack.query(
        "SELECT id, booking_id, sent_at FROM booking_notification WHERE status = 'sent'"
    ):
        at = accepted.get(_message_id(booking_id, pk))
        if at is not None and sent_at is not None:
            gaps.append((sent_at.timestamp() - at) * 1000)
    return gaps


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookings", type=int, default=60, help="per scenario (default 60)")
    parser.add_argument(
        "--scenarios", default="abcde", help="which to run, e.g. 'ad' (default abcde)"
    )
    args = parser.parse_args(argv)
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    logs = Path(tempfile.mkdtemp(prefix="applianceops-faults-"))
    stack = Stack(logs)
    rows: list[Row] = []
    started = time.monotonic()
    try:
        print(f"Starting PostgreSQL, Redis, SMTP sink, gunicorn and the worker (logs: {logs})")
        stack.start()
        print(HEADER)
        print("|" + " --- |" * 10)
        for key in args.scenarios:
            row = run_scenario(stack, key, args.bookings)
            rows.append(row)
            print(format_row(row), flush=True)
            if not row.ledger_clean:
                print(row.ledger_output)
        gaps = exactly_once_window(stack)
    finally:
        stack.stop()
    print(f"\n{sum(r.created for r in rows)} bookings in {time.monotonic() - started:.0f} s.")
    for note in stack.notes:
        print(note)
    if gaps:
        print(
            "Mail server's 250 to the e-mail marked sent (the window in which a killed worker "
            f"would send it again): median {statistics.median(gaps):.1f} ms, "
            f"p99 {sorted(gaps)[int(len(gaps) * 0.99)]:.1f} ms, max {max(gaps):.1f} ms "
            f"over {len(gaps)} e-mails."
        )
    failed = [row for row in rows if not row.ok]
    if failed:
        print(f"FAILED: {', '.join(row.name for row in failed)}")
        return 1
    print("Nothing lost, nothing doubled, every e-mail once, the ledger adds up.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
