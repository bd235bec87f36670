"""Plain helpers for the benchmark's tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from booking.models import Booking


@contextmanager
def copies_of(template: Booking, count: int, *, days: int) -> Iterator[None]:
    """`count` more bookings like `template` for the block (copy_booking). On SQLite every
    booking is then deleted without the row-by-row foreign-key checks that make its end-of-test
    flush take minutes for 100,000 (the block's own bookings are just as disposable);
    PostgreSQL's flush truncates, which takes no time."""
    copy_booking(template, count, days=days)
    try:
        yield
    finally:
        if connection.vendor == "sqlite":
            with connection.constraint_checks_disabled(), connection.cursor() as cursor:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(Booking._meta.db_table)}")


def copy_booking(template: Booking, count: int, *, days: int) -> None:
    """`count` more bookings like `template`, spread over `days` dates from its own, written by
    one INSERT ... SELECT in the database (100,000 take seconds; through the ORM, minutes)."""
    table = connection.ops.quote_name(Booking._meta.db_table)
    columns, values = [], []
    for field in Booking._meta.concrete_fields:
        column = connection.ops.quote_name(field.column)
        columns.append(column)
        if field.primary_key:
            values.append(
                "gen_random_uuid()"
                if connection.vendor == "postgresql"
                else "lower(hex(randomblob(16)))"
            )
        elif field.name == "scheduled_date":
            values.append(
                f"{column} + (n %% {days})"
                if connection.vendor == "postgresql"
                else f"date({column}, '+' || (n %% {days}) || ' days')"
            )
        else:
            values.append(column)
    if connection.vendor == "postgresql":
        numbers, source = "", "generate_series(1, %s) AS n"
    else:
        numbers = "WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers "
        numbers += "WHERE n < %s) "
        source = "numbers"
    with connection.cursor() as cursor:
        cursor.execute(
            f"{numbers}INSERT INTO {table} ({', '.join(columns)}) "
            f"SELECT {', '.join(values)} FROM {table}, {source} WHERE {table}.id = %s",
            [count, template.pk.hex if connection.vendor != "postgresql" else template.pk],
        )
