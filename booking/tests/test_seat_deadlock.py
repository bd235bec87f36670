"""A booking that waited for its first choice and found it full never deadlocks a move.

PostgreSQL keeps the row lock of a guarded UPDATE that waited for another writer and then found
the start full. A booking holding that lock while it tries its next choice, and a move holding
that next choice while it waits to give a seat back at the first, would wait for each other: a
deadlock, and one of them a 500. The engine lets go of a full start before it tries the next.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction

from booking import ledger, slots
from booking.models import Booking
from booking.services import Customer, Job, booking_create, booking_reschedule
from booking.tests.helpers import next_working_day
from tenants.tests.factories import ShopFactory

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="SQLite serialises writers: nothing to deadlock"
)

TEN, ELEVEN = dt.time(10), dt.time(11)


def _backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _blocked_by(pid: int) -> list[int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_blocking_pids(%s)", [pid])
        return cursor.fetchone()[0]


def _book(shop, day: dt.date, start: dt.time, name: str) -> Booking:
    return booking_create(
        shop=shop,
        customer=Customer(name=name, phone="+16615550199", address="1 Main St"),
        job=Job(appliance_type="Refrigerator"),
        slot_request=slots.SlotRequest(day, "", start),
        source="",
        channel=Booking.Channel.API,
        notify=False,
    )


def _wait_until(condition, what: str) -> None:
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_booking_that_found_its_first_choice_full_does_not_deadlock_a_move():
    shop = ShopFactory(slug="two-starts")
    settings = shop.booking_settings
    settings.jobs_per_start_time = 2
    settings.first_start, settings.last_start = TEN, ELEVEN
    settings.save()
    day = next_working_day(shop, days_ahead=3)
    moving = _book(shop, day, ELEVEN, "Moving")
    pids: dict[str, int] = {}
    results: dict[str, object] = {}
    release = threading.Event()

    def fill_eleven() -> None:
        # Another booking taking the last 11:00 seat, its transaction still open.
        try:
            with transaction.atomic():
                pids["other"] = _backend_pid()
                _book(shop, day, ELEVEN, "Other")
                release.wait(timeout=30)
        finally:
            connection.close()

    def run(name: str, action) -> None:
        try:
            pids[name] = _backend_pid()
            results[name] = action()
        except Exception as exc:
            results[name] = exc
        finally:
            connection.close()

    def book_eleven():
        return _book(shop, day, ELEVEN, "Booking")

    def move_to_ten():
        booking = Booking.objects.get(pk=moving.pk)
        return booking_reschedule(booking=booking, new_date=day, new_time=TEN)

    threads = [threading.Thread(target=fill_eleven)]
    threads[0].start()
    _wait_until(lambda: "other" in pids, "the other booking holds 11:00")
    threads.append(threading.Thread(target=run, args=("book", book_eleven)))
    threads[1].start()
    _wait_until(
        lambda: "book" in pids and pids["other"] in _blocked_by(pids["book"]),
        "the booking waits at 11:00",
    )
    # The move locks 10:00 (the earlier start first), then waits at 11:00 behind the booking.
    threads.append(threading.Thread(target=run, args=("move", move_to_ten)))
    threads[2].start()
    _wait_until(lambda: "move" in pids and _blocked_by(pids["move"]), "the move waits at 11:00")
    # 11:00 fills: the booking goes on to 10:00, which the move holds. Had it kept its lock on
    # 11:00, the move would wait for it and it for the move.
    release.set()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads)
    assert isinstance(results["move"], Booking), results["move"]
    assert isinstance(results["book"], Booking), results["book"]
    # Either order of the last two commits is right: the booking took 10:00, or the move had
    # already given back its 11:00 seat and the booking took that one.
    assert results["book"].scheduled_time in (TEN, ELEVEN)
    assert ledger.run_checks() == []
