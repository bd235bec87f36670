"""Bookings made the way every door makes them, for the admin tests; a fixed week to look at."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db.models import Count

from booking import slots
from booking.models import Booking, SeatCounter
from booking.services import Customer, Job, booking_create

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


def change_data(booking, **overrides) -> dict:
    """The booking page's form as the admin would post it back, with `overrides`."""
    data = {
        "customer_name": booking.customer_name,
        "phone": str(booking.phone),
        "email": booking.email,
        "address": booking.address,
        "scheduled_date": booking.scheduled_date.isoformat(),
        "scheduled_time": booking.scheduled_time.isoformat(),
        "status": booking.status,
        "priority": booking.priority,
        "appliance_type": booking.appliance_type,
        "issue": booking.issue,
        "duration_minutes": "",
        "dispatcher_notes": booking.dispatcher_notes,
        "source": booking.source,
        "work_order_number": booking.work_order_number,
        "claim_number": booking.claim_number,
        "authorization_number": booking.authorization_number,
        "partner_reference": booking.partner_reference,
        "_save": "Save",
    }
    data.update(overrides)
    return data


def many_bookings(shop, first_day: dt.date, count: int, *, weekdays: int = 5) -> None:
    """`count` booking rows spread over `weekdays` working days from `first_day`, with counters
    to match; bulk inserts, so ten thousand take a moment, for the query-count tests."""
    starts = [dt.time(hour, 0) for hour in range(8, 17)]
    days = []
    day = first_day
    while len(days) < weekdays:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    sources = ["ahs", "frontdoor", "angi", ""]
    first = next(_numbers)
    rows = []
    for n in range(count):
        start = starts[(n // len(days)) % len(starts)]
        rows.append(
            Booking(
                shop=shop,
                customer_name=f"Customer {first}-{n}",
                phone="+16615550199",
                address="123 Main St, Lancaster CA 93534",
                appliance_type="Refrigerator",
                scheduled_date=days[n % len(days)],
                scheduled_time=start,
                window=slots.window_of(start),
                source=sources[n % len(sources)],
                channel=Booking.Channel.API,
                work_order_number=f"WO-{first}-{n}",
            )
        )
    Booking.objects.bulk_create(rows, batch_size=2000)
    seats = (
        Booking.objects.filter(shop=shop)
        .values("scheduled_date", "scheduled_time")
        .annotate(booked=Count("pk"))
        .order_by()
    )
    SeatCounter.objects.bulk_create(
        [
            SeatCounter(
                shop=shop,
                date=s["scheduled_date"],
                start_time=s["scheduled_time"],
                booked=s["booked"],
            )
            for s in seats
        ],
        update_conflicts=True,
        unique_fields=["shop", "date", "start_time"],
        update_fields=["booked"],
    )
