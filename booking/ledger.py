"""The ledger adds up: what the counters say equals what the bookings say.

Each check is a small function returning `Finding`s; `manage.py check_ledger` runs every check in
CHECKS, prints the findings and, with --repair, applies their repairs. A later check (no
technician double-booked) is one more function appended to CHECKS.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count

from booking.models import Booking, SeatCounter
from tenants.models import BookingSettings, Shop

SeatKey = tuple[int, dt.date, dt.time]  # (shop id, date, start time)


@dataclass(frozen=True)
class Finding:
    """One thing that does not add up, and how to put it right (None: a person must)."""

    check: str
    message: str
    repair: Callable[[], str] | None = None


def _seat_holders(shop_ids: list[int] | None) -> Counter[SeatKey]:
    bookings = Booking.objects.holding_seats()
    if shop_ids is not None:
        bookings = bookings.filter(shop_id__in=shop_ids)
    rows = bookings.values("shop_id", "scheduled_date", "scheduled_time").annotate(n=Count("pk"))
    return Counter(
        {(row["shop_id"], row["scheduled_date"], row["scheduled_time"]): row["n"] for row in rows}
    )


def _counted(shop_ids: list[int] | None) -> dict[SeatKey, int]:
    counters = SeatCounter.objects.all()
    if shop_ids is not None:
        counters = counters.filter(shop_id__in=shop_ids)
    return {
        (shop_id, day, start): booked
        for shop_id, day, start, booked in counters.values_list(
            "shop_id", "date", "start_time", "booked"
        )
    }


def _where(key: SeatKey, slugs: dict[int, str]) -> str:
    shop_id, day, start = key
    return f"{slugs.get(shop_id, shop_id)} {day:%Y-%m-%d} {start:%H:%M}"


def _slugs() -> dict[int, str]:
    return dict(Shop.objects.values_list("pk", "slug"))


def _recount(key: SeatKey) -> str:
    """Set one counter to the bookings holding a seat there, counted under the counter's lock."""
    shop_id, day, start = key
    with transaction.atomic():
        SeatCounter.objects.bulk_create(
            [SeatCounter(shop_id=shop_id, date=day, start_time=start)], ignore_conflicts=True
        )
        # A booking taking a seat here meanwhile waits for this lock (or we wait for its commit),
        # so the count and the counter cannot pass each other.
        counter = SeatCounter.objects.select_for_update().get(
            shop_id=shop_id, date=day, start_time=start
        )
        holders = (
            Booking.objects.holding_seats()
            .filter(shop_id=shop_id, scheduled_date=day, scheduled_time=start)
            .count()
        )
        before = counter.booked
        SeatCounter.objects.filter(pk=counter.pk).update(booked=holders)
    return f"set the counter from {before} to {holders}"


def seat_counter_findings(shop_ids: list[int] | None = None) -> list[Finding]:
    """Every start whose seat counter differs from the bookings that hold a seat there."""
    holders = _seat_holders(shop_ids)
    counted = _counted(shop_ids)
    slugs = _slugs()
    findings = []
    for key in sorted(set(holders) | set(counted)):
        expected, booked = holders.get(key, 0), counted.get(key, 0)
        if expected == booked:
            continue
        findings.append(
            Finding(
                check="seats",
                message=(
                    f"{_where(key, slugs)}: the counter says {booked} seat(s) taken, "
                    f"{expected} booking(s) hold one"
                ),
                repair=lambda key=key: _recount(key),
            )
        )
    return findings


def over_capacity_findings(shop_ids: list[int] | None = None) -> list[Finding]:
    """Starts with more seat-holding bookings than seats and none of them flagged overbooked.

    Not part of check_ledger: an owner who lowers the seats per start leaves starts over the new
    number legitimately. The concurrency tests use it to prove no race overbooks.
    """
    holders = _seat_holders(shop_ids)
    flagged = {
        (row["shop_id"], row["scheduled_date"], row["scheduled_time"])
        for row in Booking.objects.holding_seats()
        .filter(overbooked=True)
        .values("shop_id", "scheduled_date", "scheduled_time")
    }
    seats = dict(BookingSettings.objects.values_list("shop_id", "jobs_per_start_time"))
    slugs = _slugs()
    return [
        Finding(
            check="capacity",
            message=(
                f"{_where(key, slugs)}: {count} bookings hold a seat of {seats[key[0]]}, "
                "none flagged overbooked"
            ),
        )
        for key, count in sorted(holders.items())
        if count > seats[key[0]] and key not in flagged
    ]


# What `manage.py check_ledger` runs, in order. Technicians will add theirs here.
CHECKS: list[Callable[..., list[Finding]]] = [seat_counter_findings]


def run_checks(shop_ids: list[int] | None = None) -> list[Finding]:
    return [finding for check in CHECKS for finding in check(shop_ids)]
