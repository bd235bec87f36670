"""Many threads changing bookings at random through the services: the ledger still adds up.

Each thread acts like a stream of requests: it loads a booking (as a request does when it
starts), then creates, cancels, moves, confirms or completes through booking.services. Threads
pick from a small pool, so the same booking is often changed by two of them at once. Afterwards
the checks of `manage.py check_ledger` find nothing, and no start time holds more bookings than
seats unless one of them was flagged overbooked (with technicians: nobody is on two overlapping
jobs and their time adds up). Runs on file SQLite and, in the suite's second pass, on
PostgreSQL.

This test failed by hand with any one of the locks in booking.services removed (the cancel's,
the reschedule's or the status change's acting on the booking as loaded).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

import pytest

from booking import ledger, slots
from booking.models import Booking
from booking.services import (
    BookingError,
    Customer,
    Job,
    booking_cancel,
    booking_create,
    booking_reschedule,
    booking_set_status,
)
from booking.tests.helpers import at_once, next_working_day
from technicians.tests.helpers import hire
from tenants.tests.factories import ShopFactory

THREADS = 8
OPERATIONS_PER_THREAD = 60
SEATS = 2
# Few starts and a small pool of bookings: collisions are the point.
STARTS = [dt.time(h) for h in (8, 9, 10, 11)]
POOL = 8


def _create(shop, rng: random.Random, days: list[dt.date]) -> Booking | None:
    try:
        return booking_create(
            shop=shop,
            customer=Customer(name="Load Test", phone="+16615550199", address="1 Main St"),
            job=Job(appliance_type="Refrigerator"),
            slot_request=slots.SlotRequest(rng.choice(days), "", rng.choice(STARTS)),
            source="load",
            channel=Booking.Channel.ADMIN,
            allow_overbook=rng.random() < 0.1,
            notify=False,
        )
    except BookingError:
        return None


def _change(booking: Booking, rng: random.Random, days: list[dt.date]) -> None:
    action = rng.choice(["cancel", "move", "move", "confirm", "complete"])
    if action == "cancel":
        booking_cancel(booking=booking, notify_customer=False)
    elif action == "move":
        booking_reschedule(
            booking=booking,
            new_date=rng.choice(days),
            new_time=rng.choice(STARTS),
            allow_overbook=rng.random() < 0.1,
            notify_customer=False,
        )
    else:
        status = Booking.Status.CONFIRMED if action == "confirm" else Booking.Status.COMPLETED
        booking_set_status(booking=booking, status=status)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("technicians", [0, 2], ids=["seats", "technicians"])
def test_random_creates_cancels_moves_and_status_changes_at_once_keep_the_ledger(technicians):
    shop = ShopFactory(slug="load-shop")
    settings = shop.booking_settings
    settings.jobs_per_start_time = SEATS
    settings.first_start, settings.last_start = STARTS[0], STARTS[-1]
    settings.working_weekdays = list(range(7))
    settings.save()
    # With technicians, 90-minute jobs an hour apart overlap: moves rewrite technician time.
    for n in range(technicians):
        hire(shop, f"Technician {n}", weekdays=range(7))
    first = next_working_day(shop, days_ahead=3)
    days = [first, first + dt.timedelta(days=1)]
    seed_rng = random.Random(12)
    pool = [b.pk for b in (_create(shop, seed_rng, days) for _ in range(POOL)) if b]
    pool_lock = threading.Lock()

    def run(index: int) -> None:
        rng = random.Random(index)
        for _ in range(OPERATIONS_PER_THREAD):
            if rng.random() < 0.25:
                booking = _create(shop, rng, days)
                if booking is not None:
                    with pool_lock:
                        pool.append(booking.pk)
                continue
            with pool_lock:
                pk = rng.choice(pool[-POOL:])
            # Loaded as a request would load it, and a moment of the request's own work
            # (forms, checks) before it asks for the change.
            booking = Booking.objects.select_related("shop").get(pk=pk)
            time.sleep(rng.random() / 500)
            try:
                _change(booking, rng, days)
            except BookingError:
                pass  # full, already cancelled, not movable: refusals are expected

    errors = [
        failure
        for failure in at_once(
            [lambda i=i: run(i) for i in range(THREADS)],
            failed=repr,
            seconds=300,
        )
        if failure
    ]
    assert errors == []
    assert [finding.message for finding in ledger.run_checks()] == []
    assert [finding.message for finding in ledger.over_capacity_findings()] == []
    # The run did what it says: seats were taken, given back and moved.
    statuses = set(Booking.objects.values_list("status", flat=True))
    assert {Booking.Status.CANCELLED, Booking.Status.COMPLETED} <= statuses
