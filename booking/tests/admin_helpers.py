"""Bookings made the way every door makes them, for the admin tests; a fixed week to look at."""

from __future__ import annotations

import datetime as dt
import itertools

from booking import slots
from booking.models import Booking, SlotCounter
from booking.services import Customer, Job, booking_create
from booking.tests.factories import BookingFactory

# Monday 7 December 2026; the tests' clock is pinned to 06:00 that morning at the shop.
MONDAY = dt.date(2026, 12, 7)
_numbers = itertools.count(1)


def at_shop(shop, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=shop.tz)


def book(
    shop,
    day: dt.date,
    time_slot: str = "",
    *,
    source: str = "ahs",
    name: str | None = None,
    appliance: str = "Refrigerator",
    work_order_number: str = "",
    claim_number: str = "",
    phone: str = "+16615550199",
    address: str = "123 Main St, Lancaster CA 93534",
    allow_overbook: bool = False,
) -> Booking:
    """A booking through booking_create, so its seat is counted."""
    window, time = slots.parse_time_slot(time_slot)
    return booking_create(
        shop=shop,
        customer=Customer(name=name or f"Customer {next(_numbers)}", phone=phone, address=address),
        job=Job(
            appliance_type=appliance,
            work_order_number=work_order_number,
            claim_number=claim_number,
        ),
        slot_request=slots.SlotRequest(date=day, window=window, time=time),
        source=source,
        channel=Booking.Channel.API,
        allow_overbook=allow_overbook,
    )


def many_bookings(shop, first_day: dt.date, count: int) -> None:
    """`count` booking rows spread over a week with counters to match (fast, for query counts)."""
    starts = [dt.time(hour, 0) for hour in range(8, 17)]
    rows = []
    for n in range(count):
        day = first_day + dt.timedelta(days=n % 5)
        start = starts[(n // 5) % len(starts)]
        rows.append(
            BookingFactory.build(
                shop=shop,
                scheduled_date=day,
                scheduled_time=start,
                window=slots.window_of(start),
                source=["ahs", "frontdoor", "angi", ""][n % 4],
                work_order_number=f"WO-{n}",
            )
        )
    Booking.objects.bulk_create(rows)
    seats: dict[tuple, int] = {}
    for row in rows:
        key = (row.scheduled_date, row.scheduled_time)
        seats[key] = seats.get(key, 0) + 1
    for (day, start), booked in seats.items():
        SlotCounter.objects.update_or_create(
            shop=shop, date=day, start_time=start, defaults={"booked": booked}
        )
