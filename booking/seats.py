"""The seat ledger (DESIGN 1): one SeatCounter per shop, date and start time, moved only here.

Taking a seat is one guarded UPDATE (booked < capacity), so the check and the write cannot be
separated by another worker; giving one back never goes below zero. booking.services calls
these inside its transactions.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F

from booking.models import SeatCounter
from tenants.models import Shop


def ensure_counters(shop: Shop, day: dt.date, starts: list[dt.time]) -> None:
    # The unique constraint makes concurrent creation safe: the loser's insert is a no-op.
    SeatCounter.objects.bulk_create(
        [SeatCounter(shop=shop, date=day, start_time=start) for start in starts],
        ignore_conflicts=True,
    )


def take_seat(
    shop: Shop, day: dt.date, order: list[dt.time], capacity: int, *, overbook: bool
) -> tuple[dt.time, bool] | None:
    """Take a seat at the first start in `order` with room: (start, overbooked), None if full.

    Each try is one guarded UPDATE, so the check and the write cannot be separated by another
    worker. With `overbook`, a full first choice is taken anyway.
    """
    counters = SeatCounter.objects.filter(shop=shop, date=day)
    for start in order:
        taken = counters.filter(start_time=start, booked__lt=capacity).update(
            booked=F("booked") + 1
        )
        if taken:
            return start, False
        if overbook:
            counters.filter(start_time=start).update(booked=F("booked") + 1)
            return start, True
    return None


def release_seat(shop_id: int, day: dt.date, start: dt.time) -> None:
    SeatCounter.objects.filter(shop_id=shop_id, date=day, start_time=start, booked__gt=0).update(
        booked=F("booked") - 1
    )
