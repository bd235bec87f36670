"""Is a new booking maybe a job booked twice? The lookup its INSERT makes (issue 16).

A booking within DUPLICATE_DAYS (either side) of another of the same shop, still holding a
seat, for the same phone or address, may be the same job booked through two doors. It is a
flag for the dispatcher, never a refusal. The INSERT looks it up itself, as a subquery on the
(shop, phone, date) and (shop, address key, date) indexes, so flagging costs no round trip and
sees every booking committed before it.

The subquery is written here once per shape (phone, address or both) as SQL, with the table's
own names: compiled by the ORM on every booking it cost more than the database's work on it
(issue 17's profile). booking/tests/test_possible_duplicates.py holds what it must find.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection
from django.db.models.expressions import RawSQL

from booking.models import DUPLICATE_DAYS, Booking

WINDOW = dt.timedelta(days=DUPLICATE_DAYS)


def earliest_possible_duplicate(
    *, shop_id: int, phone: str, address_key: str, day: dt.date
) -> RawSQL | None:
    """The id of the earliest booking the new one may duplicate, as an expression for its
    INSERT; None when there is neither a phone nor an address to compare."""
    compared = [value for value in (phone, address_key) if value]
    if not compared:
        return None
    ops = connection.ops
    window = [ops.adapt_datefield_value(day - WINDOW), ops.adapt_datefield_value(day + WINDOW)]
    params = []
    for value in compared:
        params += [shop_id, value, *window, *Booking.SEAT_HOLDING, False]
    return RawSQL(_sql(connection.vendor, bool(phone), bool(address_key)), params)


@functools.cache
def _sql(vendor: str, by_phone: bool, by_address: bool) -> str:
    """The earliest of the earliest match by phone and the earliest by address: one index
    range scan each, on (shop, phone, date) and (shop, address key, date), whatever the
    planner knows of the table (an OR of the two let a plan made for a small table scan
    every booking of the shop's month)."""
    q = connection.ops.quote_name
    column = {
        name: q(Booking._meta.get_field(name).column)
        for name in (
            "id", "shop", "status", "is_test", "phone", "address_key", "scheduled_date",
            "scheduled_time",
        )
    }  # fmt: skip
    when = f"{column['scheduled_date']}, {column['scheduled_time']}"
    holding = ", ".join(["%s"] * len(Booking.SEAT_HOLDING))
    compared = [name for name, on in (("phone", by_phone), ("address_key", by_address)) if on]
    branches = " UNION ALL ".join(
        f"SELECT * FROM (SELECT {column['id']}, {when} FROM {q(Booking._meta.db_table)}"
        f" WHERE {column['shop']} = %s AND {column[name]} = %s"
        f" AND {column['scheduled_date']} BETWEEN %s AND %s"
        f" AND {column['status']} IN ({holding}) AND {column['is_test']} = %s"
        f" ORDER BY {when} LIMIT 1) AS by_{name}"
        for name in compared
    )
    return f"SELECT {column['id']} FROM ({branches}) AS same ORDER BY {when} LIMIT 1"
