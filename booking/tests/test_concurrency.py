"""Many partners asking for one start time at once: capacity holds on SQLite and PostgreSQL.

Real threads, each with its own database connection, released together by a barrier. The suite
runs on a file SQLite by default and on PostgreSQL when DATABASE_URL says so (CI does both).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.test import Client

from booking.models import Booking, SeatCounter
from booking.tests.helpers import BOOK_API, at_once, next_working_day
from tenants.tests.factories import ShopFactory

THREADS = 16


def fire_together(bodies: list[dict]) -> list[tuple[int, dict]]:
    """POST every body from its own thread, each from its own address, at the same moment:
    [(status, json)]."""

    def post(index: int, body: dict) -> tuple[int, dict]:
        client = Client(REMOTE_ADDR=f"10.0.0.{index + 1}")
        response = client.post(BOOK_API, body, content_type="application/json")
        return response.status_code, response.json()

    return at_once(
        [lambda i=i, b=b: post(i, b) for i, b in enumerate(bodies)],
        failed=lambda exc: (-1, {"error": repr(exc)}),
    )


def body(shop, day: dt.date, index: int, time_slot: str) -> dict:
    return {
        "slug": shop.slug,
        "name": f"Customer {index}",
        "phone": f"+1555123{index:04d}",
        "address": "123 Main St, Lancaster CA 93534",
        "appliance_type": "Refrigerator",
        "scheduled_date": day.isoformat(),
        "time_slot": time_slot,
    }


def assert_capacity_held(shop, day, results, capacity: int) -> int:
    statuses = Counter(status for status, _ in results)
    assert all(status in (201, 400) for status in statuses), results
    successes = statuses[201]
    counters = {c.start_time: c.booked for c in SeatCounter.objects.filter(shop=shop, date=day)}
    assert max(counters.values()) <= capacity, counters
    active = Booking.objects.holding_seats().filter(shop=shop, scheduled_date=day)
    per_start = Counter(active.values_list("scheduled_time", flat=True))
    assert max(per_start.values()) <= capacity, per_start
    assert successes == sum(counters.values()) == active.count()
    assert dict(per_start) == {t: n for t, n in counters.items() if n}
    booked_ids = {data["booking_id"] for status, data in results if status == 201}
    assert booked_ids == {str(pk) for pk in active.values_list("pk", flat=True)}
    return successes


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_for_one_start_never_overbook_it():
    shop = ShopFactory(slug="busy-shop")
    shop.booking_settings.jobs_per_start_time = 3
    shop.booking_settings.save()
    day = next_working_day(shop, days_ahead=3)

    results = fire_together([body(shop, day, i, "10:00") for i in range(THREADS)])

    # 16 requests, 3 seats at 10:00: the rest move to 11:00 and later, then to 09:00, 08:00.
    assert assert_capacity_held(shop, day, results, capacity=3) == THREADS
    times = Counter(data["scheduled_time"] for _, data in results)
    assert times["10:00:00"] == 3
    assert all(data["reassigned"] for _, data in results if data["scheduled_time"] != "10:00:00")


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_simultaneous_requests_for_a_nearly_full_day_fill_it_exactly():
    shop = ShopFactory(slug="small-shop")
    settings = shop.booking_settings
    settings.jobs_per_start_time = 2
    settings.first_start, settings.last_start = dt.time(8), dt.time(12)
    settings.save()
    day = next_working_day(shop, days_ahead=3)

    results = fire_together([body(shop, day, i, "AM") for i in range(THREADS)])

    # Five starts of two seats: ten bookings, and six partners told the date is full.
    assert assert_capacity_held(shop, day, results, capacity=2) == 10
    refusals = [data for status, data in results if status == 400]
    assert len(refusals) == THREADS - 10
    assert all(data["code"] == "no_availability" for data in refusals)
