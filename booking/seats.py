"""The seat ledger (DESIGN 1): one SeatCounter per shop, date and start time, moved only here.

Taking a seat is one guarded UPDATE (booked < capacity), so the check and the write cannot be
separated by another worker; giving one back never goes below zero. booking.services calls
these inside its transactions.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F, Q

from booking.models import SeatCounter
from tenants.models import Shop


def ensure_counters(shop: Shop, day: dt.date, starts: list[dt.time]) -> None:
    # Only the missing ones: on PostgreSQL an INSERT ... ON CONFLICT on a row that another
    # booking is updating waits for that booking's commit, which would queue every booking of
    # the day behind every other. The unique constraint makes concurrent creation safe: the
    # loser's insert is a no-op.
    existing = set(
        SeatCounter.objects.filter(shop=shop, date=day, start_time__in=starts).values_list(
            "start_time", flat=True
        )
    )
    missing = [start for start in starts if start not in existing]
    if missing:
        SeatCounter.objects.bulk_create(
            [SeatCounter(shop=shop, date=day, start_time=start) for start in missing],
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
        # PostgreSQL keeps the row lock of a guarded UPDATE that waited for another writer and
        # then found the start full. Held while this request tries its next choice, such locks
        # taken in each request's own order of preference deadlock two requests; rolling back
        # to a savepoint lets go of a start that had no seat.
        tried = transaction.savepoint()
        taken = counters.filter(start_time=start, booked__lt=capacity).update(
            booked=F("booked") + 1
        )
        if taken:
            transaction.savepoint_commit(tried)
            return start, False
        transaction.savepoint_rollback(tried)
        if overbook:
            counters.filter(start_time=start).update(booked=F("booked") + 1)
            return start, True
    return None


def release_seat(shop_id: int, day: dt.date, start: dt.time) -> None:
    SeatCounter.objects.filter(shop_id=shop_id, date=day, start_time=start, booked__gt=0).update(
        booked=F("booked") - 1
    )


def lock_counters(shop: Shop, starts: list[tuple[dt.date, dt.time]]) -> None:
    """Lock the counters of several starts, always in (date, start) order.

    A move gives one seat back and takes another. Two moves in opposite directions that each
    updated one counter first would wait for each other's: PostgreSQL would call it a deadlock
    and fail one of them.
    """
    at = Q()
    for day, start in starts:
        at |= Q(date=day, start_time=start)
    list(
        SeatCounter.objects.select_for_update().filter(at, shop=shop).order_by("date", "start_time")
    )
