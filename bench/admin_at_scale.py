"""The admin at scale (issue 17), measured once on a real database: a shop with 100,000 bookings,
1,000 of them in one week; the week, the month, the JSON feed and the bookings list, each with its
response size, statement count and time, and EXPLAIN ANALYZE of every statement on bookings.

    createdb -h 127.0.0.1 -U root perfadmin_pg
    DATABASE_URL=postgres://root@127.0.0.1:5432/perfadmin_pg REDIS_URL=redis://127.0.0.1:6379/8 \\
        .venv/bin/python -m bench.admin_at_scale [--explain]

It migrates the database it is given and fills it from empty; run again on the same database it
measures the shop it made before (any other bookings there: it refuses).
The pytest twin is booking/tests/test_admin_at_scale.py (10 and 1,000 in a week, on SQLite).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "applianceops.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from booking.models import Booking  # noqa: E402
from booking.tests.helpers import many_bookings  # noqa: E402
from tenants.models import Membership, Shop  # noqa: E402
from tenants.tests.factories import MembershipFactory, ShopFactory, UserFactory  # noqa: E402

WEEKS_EITHER_SIDE = 52


def fill(monday: dt.date, busy_week: int, overall: int):
    """A shop with `overall` bookings: `busy_week` in the week of `monday`, the rest spread over
    the working days of the year before it and the year after it."""
    shop = ShopFactory(name="Busy Shop", slug="busy-shop")
    owner = MembershipFactory(
        user=UserFactory(username="busy-owner"), shop=shop, role=Membership.Role.OWNER
    ).user
    rest = (overall - busy_week) // 2
    many_bookings(shop, monday, busy_week)
    before = monday - dt.timedelta(weeks=WEEKS_EITHER_SIDE)
    many_bookings(shop, before, rest, weekdays=WEEKS_EITHER_SIDE * 5)
    many_bookings(shop, monday + dt.timedelta(weeks=1), rest, weekdays=WEEKS_EITHER_SIDE * 5)
    return shop, owner


def measure(client, url: str, query: dict, explain: bool) -> None:
    client.get(url, query)  # warm: the session, the templates
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as statements:
        response = client.get(url, query)
    took = (time.perf_counter() - started) * 1000
    print(
        f"{url} {query}: HTTP {response.status_code}, {len(response.content):,} bytes, "
        f"{len(statements.captured_queries)} statements, {took:.0f} ms"
    )
    for statement in statements.captured_queries:
        sql = statement["sql"]
        if "booking_booking" not in sql:
            continue
        print(f"  {float(statement['time']) * 1000:6.1f} ms  {sql[:160]}")
        if explain:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                for (line,) in cursor.fetchall():
                    print(f"      {line}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--explain", action="store_true", help="EXPLAIN ANALYZE each statement")
    parser.add_argument("--overall", type=int, default=100_000)
    parser.add_argument("--busy-week", type=int, default=1_000)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    today = dt.date.today()
    monday = today + dt.timedelta(days=7 - today.weekday())  # next week: "from today" has it
    started = time.perf_counter()
    made = Shop.objects.filter(slug="busy-shop").first()
    if made is not None and not Booking.objects.exclude(shop=made).exists():
        owner = made.memberships.get().user
    elif Booking.objects.exists():
        print("This database has bookings already: give the bench an empty one.", file=sys.stderr)
        return 2
    else:
        _, owner = fill(monday, args.busy_week, args.overall)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    in_week = Booking.objects.filter(scheduled_date__range=(monday, monday + dt.timedelta(6)))
    print(
        f"{Booking.objects.count():,} bookings, {in_week.count():,} in the week of {monday}, "
        f"ready in {time.perf_counter() - started:.0f} s"
    )
    client = Client()
    client.force_login(owner)
    calendar = "/admin/booking/booking/calendar/"
    sunday = (monday + dt.timedelta(days=6)).isoformat()
    for url, query in [
        (calendar, {"view": "week", "date": monday.isoformat()}),
        (calendar, {"view": "month", "date": monday.isoformat()}),
        (f"{calendar}feed/", {"start": monday.isoformat(), "end": sunday}),
        ("/admin/booking/booking/", {}),
        ("/admin/booking/booking/", {"source": "ahs", "p": "3"}),
    ]:
        measure(client, url, query, args.explain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
