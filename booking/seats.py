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
    shop: Shop,
    day: dt.date,
    order: list[dt.time],
    capacity: int,
    *,
    facts_version: int | None = None,
) -> dt.time | None:
    """Take a seat at the first start in `order` that has room (booked < capacity), in one
    UPDATE: the write almost every booking makes, and all its seat costs. The start taken, or
    None when that UPDATE took nothing (no start with room, a start's counter not made yet,
    or the chosen start filled meanwhile: the caller rolls back and goes the long way). With
    `facts_version` (a booking made from a worker's copy of the shop, booking/facts.py) only
    while the shop row still has it.

    The subquery picks the start; the UPDATE's own `booked < capacity` decides, re-checked by
    PostgreSQL on the row as it is when the UPDATE gets it, so no interleaving overbooks. The
    statement is written here once per shape rather than compiled by the ORM per booking,
    which cost more than the database's work on it (issue 17's profile). Without RETURNING
    (SQLite before 3.35) it tries the first start only."""
    returning = connection.features.can_return_columns_from_insert
    starts = order if returning else order[:1]
    ops = connection.ops
    at = [ops.adapt_timefield_value(start) for start in starts]
    on = [shop.pk, ops.adapt_datefield_value(day)]
    params = [*on, *at, capacity, *at, capacity, *on, *at, len(starts)]
    if facts_version is not None:
        params += [shop.pk, facts_version]
    sql = _first_seat_sql(connection.vendor, len(starts), facts_version is not None, returning)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if not returning:
            return starts[0] if cursor.rowcount == 1 else None
        taken = cursor.fetchone()
    return None if taken is None else _as_time(taken[0])


def _as_time(value) -> dt.time:
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


@functools.cache
def _first_seat_sql(vendor: str, starts: int, guarded: bool, returning: bool) -> str:
    q = connection.ops.quote_name
    counter, shop = SeatCounter._meta, Shop._meta
    table = q(counter.db_table)
    column = {
        name: q(counter.get_field(name).column)
        for name in ("id", "shop", "date", "start_time", "booked")
    }
    listed = ", ".join(["%s"] * starts)
    preference = " ".join(f"WHEN %s THEN {n}" for n in range(starts))
    sql = (
        f"UPDATE {table} SET {column['booked']} = {column['booked']} + 1"
        f" WHERE {column['id']} = (SELECT {column['id']} FROM {table}"
        f" WHERE {column['shop']} = %s AND {column['date']} = %s"
        f" AND {column['start_time']} IN ({listed}) AND {column['booked']} < %s"
        f" ORDER BY CASE {column['start_time']} {preference} END LIMIT 1)"
        f" AND {column['booked']} < %s"
        # Every start asked for has its counter: a start the shop added since the day's
        # counters were made has none, and the long way makes it rather than passing it over.
        f" AND (SELECT COUNT(*) FROM {table} WHERE {column['shop']} = %s"
        f" AND {column['date']} = %s AND {column['start_time']} IN ({listed})) = %s"
    )
    if guarded:
        sql += (
            f" AND EXISTS (SELECT 1 FROM {q(shop.db_table)} WHERE {q(shop.pk.column)} = %s"
            f" AND {q(shop.get_field('facts_version').column)} = %s)"
        )
    return sql + (f" RETURNING {column['start_time']}" if returning else "")


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
