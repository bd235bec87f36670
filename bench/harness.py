"""The benchmark's in-process steps, each run in a fresh process with the server's environment.

    python -m bench.harness setup --slug S        the bench shop, its partner key, the floor table
    python -m bench.harness roundtrips --slug S   round trips of one booking (public and keyed)
    python -m bench.harness profile --slug S      cProfile of public bookings: where time goes
    python -m bench.harness analyze --slug S      the planner's statistics, before each pair
    python -m bench.harness ledger --slug S       bookings against seats, over-capacity starts
    python -m bench.harness cleanup --slug S      remove the bench's rows (PostgreSQL)

bench/booking_bench.py drives them; each prints its figures as JSON on its last line.
DJANGO_SETTINGS_MODULE must be bench.settings (the floor view is mounted there only).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import os
import pstats
import re
import statistics
import time
from pathlib import Path

import django

PROJECT = Path(__file__).resolve().parent.parent
BOOKING_URL = "/api/booking/book"
FLOOR_URL = "/bench/floor"
# Dates the bench books start this far ahead, clear of the shop's minimum notice.
DAYS_AHEAD = 2
HORIZON_DAYS = 365
SERVICE_AREA = ["93534", "93535", "93536", "93550", "93551"]


def _emit(figures: dict) -> None:
    print(json.dumps(figures, default=str))


def _shop(slug: str):
    from tenants.models import Shop

    return Shop.objects.select_related("booking_settings").get(slug=slug)


def _client():
    from django.test import Client

    # The host the server is started for; REMOTE_ADDR is 127.0.0.1, like wrk's requests.
    return Client(HTTP_HOST="127.0.0.1")


def _post(client, url: str, body: dict, *, key: str = ""):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.post(url, data=json.dumps(body), content_type="application/json", **headers)


def _booker(args):
    """post(n, key='') -> response, for the n-th booking of this step; 201 or it raises."""
    from bench.bodies import booking_body

    client = _client()
    first_date = dt.date.fromisoformat(args.first_date)

    def post(n: int, *, key: str = "", url: str = BOOKING_URL):
        body = booking_body(
            slug=args.slug, tag=args.tag, n=n, first_date=first_date, days=args.days
        )
        response = _post(client, url, body, key=key)
        if response.status_code != 201:
            raise SystemExit(f"{url} answered {response.status_code}: {response.content[:300]!r}")
        return response

    return post


def setup(args) -> None:
    from django.db import transaction

    from bench import floor
    from booking import slots
    from schedulerAccounts.services import scheduler_account_create
    from tenants.models import BlackoutDate
    from tenants.services import shop_create

    with transaction.atomic():
        shop = shop_create(
            name="Bench Appliance Repair",
            slug=args.slug,
            jobs_per_start_time=args.jobs_per_start,
            weekdays=list(range(7)),
            notification_email="dispatch@bench-appliance.example.com",
        )
        settings = shop.booking_settings
        settings.horizon_days = HORIZON_DAYS
        settings.service_zip_codes = SERVICE_AREA
        settings.full_clean()
        settings.save()
        first_date = shop.today() + dt.timedelta(days=DAYS_AHEAD)
        days = min(args.days, HORIZON_DAYS - DAYS_AHEAD - 3)
        # A real shop has holidays: the blackout query returns rows, on dates the bench skips.
        last = first_date + dt.timedelta(days=days - 1)
        for n in range(1, 3):
            BlackoutDate.objects.create(
                settings=settings, date=last + dt.timedelta(days=n), reason="Holiday"
            )
        _, key = scheduler_account_create(
            shop=shop,
            name="Bench Home Warranty",
            requests_per_hour=1_000_000,
            bookings_per_hour=100_000,
            allowed_fields=["partner_reference", "priority"],
        )
    floor.create_table()
    starts = len(slots.start_times_of(settings))
    _emit(
        {
            "key": key,
            "first_date": first_date.isoformat(),
            "days": days,
            "starts_per_day": starts,
            "capacity": settings.jobs_per_start_time,
            "seats": days * starts * settings.jobs_per_start_time,
        }
    )


def roundtrips(args) -> None:
    from bench.roundtrips import as_served, count_round_trips

    post = _booker(args)
    days = args.days
    # A first booking of each kind opens the connections (and Redis's handshake), fills
    # Django's own caches and makes its date's seat counters: the figures are a steady-state
    # booking's, on the same date (n + days books the date n did). A date's first booking,
    # which makes its counters, is counted apart. Each counted request starts as a served one
    # does, its connection to be handed out by the pool (and checked).
    post(0)
    post(1, key=args.key)
    post(2, url=FLOOR_URL)
    as_served()
    with count_round_trips() as public:
        post(days)
    as_served()
    with count_round_trips() as keyed:
        post(days + 1, key=args.key)
    as_served()
    with count_round_trips() as first_of_date:
        post(3)
    as_served()
    with count_round_trips() as floor_trips:
        post(5, url=FLOOR_URL)
    _emit(
        {
            "public": public.as_dict(),
            "key": keyed.as_dict(),
            "first_of_date": first_of_date.as_dict(),
            "floor": floor_trips.as_dict(),
            "bookings_created": 5,
        }
    )


def _where(key: tuple) -> str:
    filename, line, function = key
    if filename == "~":
        # A built-in, e.g. <method 'execute' of 'sqlite3.Cursor' objects>, or a Python function
        # called from C, which cProfile shows by its repr: drop the address.
        return re.sub(r" at 0x[0-9a-f]+", "", function)
    parts = Path(filename).parts
    if "site-packages" in parts:
        shown = Path(*parts[parts.index("site-packages") + 1 :])
    elif Path(filename).is_relative_to(PROJECT):
        shown = Path(filename).relative_to(PROJECT)
    else:
        shown = Path(*parts[-2:])
    return f"{shown}:{line} {function}"


def _in_project(filename: str) -> bool:
    """The project's own code: not a library in the virtualenv, not the benchmark."""
    return (
        Path(filename).is_relative_to(PROJECT)
        and "site-packages" not in Path(filename).parts
        and Path(filename).relative_to(PROJECT).parts[0] not in ("bench", ".venv")
    )


def _package(key: tuple) -> str:
    filename, _, function = key
    if filename == "~":
        return "built-ins (C: sockets, sqlite3, json, ...)"
    parts = Path(filename).parts
    if "site-packages" in parts:
        return parts[parts.index("site-packages") + 1]
    if _in_project(filename):
        return f"project: {Path(filename).relative_to(PROJECT).parts[0]}/"
    return "Python standard library"


def profile(args) -> None:
    post = _booker(args)
    for n in range(args.warmup):
        post(n)
    # Timed without the profiler first: cProfile itself slows calls several-fold.
    elapsed = []
    for n in range(args.warmup, args.warmup + args.bookings):
        started = time.perf_counter()
        post(n)
        elapsed.append(time.perf_counter() - started)
    profiler = cProfile.Profile()
    first = args.warmup + args.bookings
    profiler.enable()
    for n in range(first, first + args.bookings):
        post(n)
    profiler.disable()
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())  # own time of every function
    by_own = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:10]
    by_package: dict[str, float] = {}
    for key, row in stats.stats.items():
        by_package[_package(key)] = by_package.get(_package(key), 0.0) + row[2]
    project_cumulative = sorted(
        (
            (key, row)
            for key, row in stats.stats.items()
            if _in_project(key[0]) and not key[2].startswith("<")
        ),
        key=lambda item: item[1][3],
        reverse=True,
    )
    per = args.bookings
    print(
        "    in-process through Django's test client, one at a time, no profiler: "
        f"median {statistics.median(elapsed) * 1000:.1f} ms per booking"
    )
    print(
        f"    top ten places time goes (own time, cProfile over {per} bookings; "
        "share, ms and calls per booking):"
    )
    for key, row in by_own:
        print(
            f"      {row[2] / total:6.1%}  {row[2] / per * 1000:6.2f} ms  {row[1] / per:5.1f} calls"
            f"  {_where(key)}"
        )
    print("    own time by package:")
    for name, seconds in sorted(by_package.items(), key=lambda item: item[1], reverse=True)[:10]:
        print(f"      {seconds / total:6.1%}  {seconds / per * 1000:6.2f} ms  {name}")
    print("    the project's functions by time spent inside them (cumulative):")
    for key, row in project_cumulative[:10]:
        print(f"      {row[3] / total:6.1%}  {row[3] / per * 1000:6.2f} ms  {_where(key)}")
    _emit({"bookings_created": args.warmup + 2 * args.bookings})


def analyze(args) -> None:
    """The planner's statistics brought up to the rows the runs so far wrote. The runs fill
    fresh tables at hundreds of rows a second, faster than autovacuum (a minute between its
    looks) follows; a shop that got to the same rows over days has its tables analysed. Without
    this the runs measure plans made for empty tables."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _emit({"analyzed": True})


def ledger(args) -> None:
    from django.db.models import Count, Sum

    from bench import floor
    from booking.models import Booking, SeatCounter

    shop = _shop(args.slug)
    capacity = shop.booking_settings.jobs_per_start_time
    holding = Booking.objects.holding_seats().filter(shop=shop)
    per_start = holding.values("scheduled_date", "scheduled_time").annotate(n=Count("id"))
    counters = SeatCounter.objects.filter(shop=shop)
    _emit(
        {
            "bookings": Booking.objects.filter(shop=shop).count(),
            "holding_seats": holding.count(),
            "seats_taken": counters.aggregate(total=Sum("booked"))["total"] or 0,
            "over_capacity": sum(1 for row in per_start if row["n"] > capacity),
            "counters_over_capacity": counters.filter(booked__gt=capacity).count(),
            "overbooked_flag": holding.filter(overbooked=True).count(),
            "floor_rows": floor.count_rows(),
        }
    )


def cleanup(args) -> None:
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    from bench import floor
    from booking.models import Booking
    from tenants.models import Shop

    shop = Shop.objects.filter(slug=args.slug).first()
    with transaction.atomic():
        if shop is not None:
            # The e-mail tasks the bench's bookings queued (no worker ran to send them).
            DBTaskResult.objects.filter(
                task_path__in=[
                    "booking.notifications.deliver_booking_notifications",
                    "booking.notifications.deliver_notification",
                ],
                enqueued_at__gte=shop.created_at,
            ).delete()
            Booking.objects.filter(shop=shop).delete()
            shop.delete()
    floor.drop_table()
    _emit({"cleaned": args.slug})


STEPS = {
    "setup": setup,
    "roundtrips": roundtrips,
    "profile": profile,
    "analyze": analyze,
    "ledger": ledger,
    "cleanup": cleanup,
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=sorted(STEPS))
    parser.add_argument("--slug", required=True)
    parser.add_argument("--key", default="", help="the bench partner's key (roundtrips)")
    parser.add_argument("--tag", default="inproc", help="keeps work-order numbers unique")
    parser.add_argument("--first-date", default="")
    parser.add_argument("--days", type=int, default=360)
    parser.add_argument("--jobs-per-start", type=int, default=20)
    parser.add_argument("--bookings", type=int, default=200, help="profiled bookings")
    parser.add_argument("--warmup", type=int, default=20)
    args = parser.parse_args(argv)
    if os.environ.get("DJANGO_SETTINGS_MODULE") != "bench.settings":
        raise SystemExit("run with DJANGO_SETTINGS_MODULE=bench.settings")
    django.setup()
    STEPS[args.step](args)


if __name__ == "__main__":
    main()
