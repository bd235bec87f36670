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
    if not (phone or address_key):
        return None
    ops = connection.ops
    same = [value for value in (phone, address_key) if value]
    params = [
        shop_id,
        *Booking.SEAT_HOLDING,
        False,
        *same,
        ops.adapt_datefield_value(day - WINDOW),
        ops.adapt_datefield_value(day + WINDOW),
    ]
    return RawSQL(_sql(connection.vendor, bool(phone), bool(address_key)), params)


@functools.cache
def _sql(vendor: str, by_phone: bool, by_address: bool) -> str:
    q = connection.ops.quote_name
    column = {
        name: q(Booking._meta.get_field(name).column)
        for name in (
            "id", "shop", "status", "is_test", "phone", "address_key", "scheduled_date",
            "scheduled_time",
        )
    }  # fmt: skip
    compared = [name for name, on in (("phone", by_phone), ("address_key", by_address)) if on]
    same = [f"{column[name]} = %s" for name in compared]
    holding = ", ".join(["%s"] * len(Booking.SEAT_HOLDING))
    return (
        f"SELECT {column['id']} FROM {q(Booking._meta.db_table)}"
        f" WHERE {column['shop']} = %s AND {column['status']} IN ({holding})"
        f" AND {column['is_test']} = %s AND ({' OR '.join(same)})"
        f" AND {column['scheduled_date']} BETWEEN %s AND %s"
        f" ORDER BY {column['scheduled_date']}, {column['scheduled_time']} LIMIT 1"
    )
