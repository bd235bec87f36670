"""Seat counters: one SeatCounter row per (shop, date, start), counting the seats taken there.

booking.capacity decides where a job goes; these are the counter writes it and the services
share. Locks on counters are always taken in (date, start) order (lock_counters), so two moves
never wait for each other.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection
from django.db.models import F, Q

from booking.models import Booking, SeatCounter
from tenants.models import Shop


def take_first_seat(
    shop: Shop, day: dt.date, start: dt.time, capacity: int, *, facts_version: int | None = None
) -> bool:
    """Take a seat at `start` if it has room (booked < capacity): the write almost every
    booking makes, and all its seat costs. With `facts_version` (a booking made from a
    worker's copy of the shop, booking/facts.py) only while the shop row still has it.

    One UPDATE written here once rather than compiled by the ORM per booking, which cost
    more than the database's work on it (issue 17's profile)."""
    ops = connection.ops
    params = [shop.pk, ops.adapt_datefield_value(day), ops.adapt_timefield_value(start), capacity]
    if facts_version is not None:
        params += [shop.pk, facts_version]
    with connection.cursor() as cursor:
        cursor.execute(_first_seat_sql(connection.vendor, facts_version is not None), params)
        return cursor.rowcount == 1


@functools.cache
def _first_seat_sql(vendor: str, guarded: bool) -> str:
    q = connection.ops.quote_name
    counter, shop = SeatCounter._meta, Shop._meta
    column = {name: q(counter.get_field(name).column) for name in ("shop", "date", "start_time")}
    booked = q(counter.get_field("booked").column)
    sql = (
        f"UPDATE {q(counter.db_table)} SET {booked} = {booked} + 1 WHERE {column['shop']} = %s"
        f" AND {column['date']} = %s AND {column['start_time']} = %s AND {booked} < %s"
    )
    if guarded:
        sql += (
            f" AND EXISTS (SELECT 1 FROM {q(shop.db_table)} WHERE {q(shop.pk.column)} = %s"
            f" AND {q(shop.get_field('facts_version').column)} = %s)"
        )
    return sql


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


def count_seat(shop: Shop, day: dt.date, start: dt.time, *, leaving: Booking | None = None) -> None:
    """Count a job at `start` whatever the capacity (technicians, or an overbook, decided);
    with a booking `leaving` another start, both counters are locked first, in order.

    The counter row must exist: ensure_counters first."""
    if leaving is not None:
        lock_counters(shop, [(leaving.scheduled_date, leaving.scheduled_time), (day, start)])
    SeatCounter.objects.filter(shop=shop, date=day, start_time=start).update(booked=F("booked") + 1)


def release_seat(shop_id: int, day: dt.date, start: dt.time) -> None:
    SeatCounter.objects.filter(shop_id=shop_id, date=day, start_time=start, booked__gt=0).update(
        booked=F("booked") - 1
    )
