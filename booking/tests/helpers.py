"""The booking tests' toolbox: days to book on, bookings made the way every door makes them,
what each door is sent, the seat counters, and the real e-mail worker.

Fixtures (the cast, the clock, browser pages, gunicorn) live in the root conftest.py.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import smtplib
import threading
import urllib.error
import urllib.request
from collections.abc import Callable
from io import StringIO
from typing import TypeVar
from unittest import mock

from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import connection, connections
from django.db.models import Count
from django.test import Client

from booking import slots
from booking.models import Booking, SeatCounter
from booking.services import Customer, Extras, Job, booking_create

T = TypeVar("T")

# --- Days ----------------------------------------------------------------------------------

# The admin tests' fixed week: Monday 7 December 2026. The `monday_morning` fixture pins the
# clock to 06:00 that morning at shop A.
MONDAY = dt.date(2026, 12, 7)
TUESDAY, WEDNESDAY, THURSDAY = (MONDAY + dt.timedelta(days=n) for n in (1, 2, 3))


def at_shop(shop, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    """`hour:minute` on `day` on the shop's own clock."""
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=shop.tz)


def next_working_day(shop, *, days_ahead: int = 1) -> dt.date:
    """The first Monday-Friday at least `days_ahead` days after the shop's today."""
    day = shop.today() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


# --- Bookings through the one write path ---------------------------------------------------

JANE = {
    "name": "Jane Smith",
    "email": "jane@example.com",
    "address": "123 Main St, Lancaster CA 93534",
}


def book(
    shop,
    day: dt.date | None = None,
    time: str | dt.time = "09:00",
    *,
    name: str = JANE["name"],
    phone: str = "+16615550199",
    email: str = JANE["email"],
    address: str = JANE["address"],
    appliance: str = "Refrigerator",
    issue: str = "Not cooling.",
    source: str = "ahs",
    channel: str = Booking.Channel.API,
    allow_overbook: bool = False,
    technician=None,
    duration_minutes: int | None = None,
    **job: str,
) -> Booking:
    """Jane Smith's booking through booking_create, as every door makes it, so its seat and its
    e-mails are counted. `day` defaults to three working days out; `time` takes a dt.time or
    what a partner sends ("AM", "PM", "10:00", "" for the first open start); `job` takes the
    Job's references (work_order_number, claim_number, authorization_number). `technician`
    books on that technician (an exact time), `duration_minutes` sets the job's length."""
    if isinstance(time, dt.time):
        window, start = "", time
    else:
        window, start = slots.parse_time_slot(time)
    return booking_create(
        shop=shop,
        customer=Customer(name=name, phone=phone, address=address, email=email),
        job=Job(appliance_type=appliance, issue=issue, **job),
        slot_request=slots.SlotRequest(
            date=day or next_working_day(shop, days_ahead=3), window=window, time=start
        ),
        source=source,
        channel=channel,
        allow_overbook=allow_overbook,
        technician=technician,
        extras=Extras(duration_minutes=duration_minutes),
    )


def book_warranty_job(shop, day: dt.date) -> Booking:
    """Jane's AM job from the "ahs" warranty partner: WO-7781, claim CL-55, (661) 555-0123."""
    return book(
        shop,
        day,
        "AM",
        source="ahs",
        work_order_number="WO-7781",
        claim_number="CL-55",
        phone="+16615550123",
    )


_numbers = itertools.count(1)


def many_bookings(shop, first_day: dt.date, count: int, *, weekdays: int = 5) -> None:
    """`count` booking rows spread over `weekdays` working days from `first_day`, with counters
    to match; bulk inserts, so ten thousand take a moment, for the query-count tests."""
    starts = [dt.time(hour, 0) for hour in range(8, 17)]
    days = []
    day = first_day
    while len(days) < weekdays:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    sources = ["ahs", "frontdoor", "angi", ""]
    first = next(_numbers)
    rows = []
    for n in range(count):
        start = starts[(n // len(days)) % len(starts)]
        rows.append(
            Booking(
                shop=shop,
                customer_name=f"Customer {first}-{n}",
                phone="+16615550199",
                address=JANE["address"],
                appliance_type="Refrigerator",
                scheduled_date=days[n % len(days)],
                scheduled_time=start,
                window=slots.window_of(start),
                source=sources[n % len(sources)],
                channel=Booking.Channel.API,
                work_order_number=f"WO-{first}-{n}",
            )
        )
    Booking.objects.bulk_create(rows, batch_size=2000)
    seats = (
        Booking.objects.filter(shop=shop)
        .values("scheduled_date", "scheduled_time")
        .annotate(booked=Count("pk"))
        .order_by()
    )
    SeatCounter.objects.bulk_create(
        [
            SeatCounter(
                shop=shop,
                date=s["scheduled_date"],
                start_time=s["scheduled_time"],
                booked=s["booked"],
            )
            for s in seats
        ],
        update_conflicts=True,
        unique_fields=["shop", "date", "start_time"],
        update_fields=["booked"],
    )


# --- Seat counters -------------------------------------------------------------------------


def seats_taken(shop, day: dt.date, start: dt.time | str) -> int:
    """How many seats the service has counted at one start time ("09:00" or a dt.time)."""
    if isinstance(start, str):
        start = dt.time.fromisoformat(start)
    counter = SeatCounter.objects.filter(shop=shop, date=day, start_time=start).first()
    return counter.booked if counter else 0


def fill_starts(shop, day: dt.date, hours=range(8, 17), booked: int = 2) -> None:
    """Give the whole-hour starts `hours` of `day` `booked` taken seats (2 fills the default)."""
    SeatCounter.objects.bulk_create(
        SeatCounter(shop=shop, date=day, start_time=dt.time(hour), booked=booked) for hour in hours
    )


# --- What each door is sent ----------------------------------------------------------------

BOOK_API = "/api/booking/book"


def jane_visit(shop, **fields) -> dict:
    """Jane's name, e-mail and address and a day three working days out, with `fields`: what
    the public page and the portal are sent."""
    return {**JANE, "scheduled_date": next_working_day(shop, days_ahead=3).isoformat(), **fields}


def contract_body(shop, **overrides) -> dict:
    """The contract's cURL body for `shop`, with a date of ours (three working days out)."""
    return {
        "slug": shop.slug,
        "name": JANE["name"],
        "phone": "+15551234567",
        "email": JANE["email"],
        "address": JANE["address"],
        "appliance_type": "Refrigerator",
        "issue": "Not cooling.",
        "scheduled_date": next_working_day(shop, days_ahead=3).isoformat(),
        "time_slot": "AM",
        "source": "ahs",
    } | overrides


def check_ledger(*args: str) -> str:
    """What `manage.py check_ledger` prints (it raises CommandError when the ledger is off)."""
    out = StringIO()
    call_command("check_ledger", *args, stdout=out)
    return out.getvalue()


def bearer(key: str) -> dict:
    """The request header that presents a partner key."""
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def post_booking(api_client, body: dict, *, key: str | None = None, **request):
    """POST `body` to the booking API as JSON; with `key`, as that partner."""
    return api_client.post(BOOK_API, body, format="json", **(bearer(key) if key else {}), **request)


def at_once(
    calls: list[Callable[[], T]], *, failed: Callable[[Exception], T], seconds: float = 180
) -> list[T]:
    """Run every call from its own thread (its own database connection), all released at one
    moment: their results in order. A call that raises gives `failed(exc)`: a thread must never
    die silently."""
    barrier = threading.Barrier(len(calls), timeout=60)
    results: list[T | None] = [None] * len(calls)

    def worker(index: int, call: Callable[[], T]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = failed(exc)
        finally:
            # Every alias this thread opened: on PostgreSQL each is a pooled connection that
            # goes back to the pool only when closed, never when its thread ends.
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds)
    assert not any(thread.is_alive() for thread in threads), "a call never finished"
    return results


def post_together(
    requests: list[tuple[dict, dict]], *, path: str = BOOK_API, base_url: str = ""
) -> list[tuple[int, dict, dict]]:
    """POST each (body, headers) as JSON from its own thread, all released at one moment:
    [(status, json, response headers)]. In-process through Django's test client, or to a
    real server (gunicorn) at `base_url`. Headers are HTTP names ("Idempotency-Key")."""
    send = _over_http if base_url else _in_process
    return at_once(
        [lambda b=body, h=headers: send(base_url + path, b, h) for body, headers in requests],
        failed=lambda exc: (-1, {"error": repr(exc)}, {}),
    )


def _in_process(url: str, body: dict, headers: dict) -> tuple[int, dict, dict]:
    meta = {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    response = Client().post(url, body, content_type="application/json", **meta)
    return response.status_code, response.json(), dict(response.headers)


def _over_http(url: str, body: dict, headers: dict) -> tuple[int, dict, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", **headers},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read()), dict(response.headers)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read()), dict(error.headers)


def page_url(shop, query: str = "") -> str:
    """The shop's public booking page."""
    return f"/book/{shop.slug}{query}"


def form_data(shop, **overrides) -> dict:
    """The public booking page's form as Jane fills it in."""
    typed = {"phone": "(555) 123-4567", "appliance_type": "Refrigerator", "issue": "Not cooling."}
    return jane_visit(shop, **typed, time_slot="am", website="") | overrides


def change_data(booking, **overrides) -> dict:
    """The admin's booking page form as the admin would post it back, with `overrides`."""
    data = {
        "customer_name": booking.customer_name,
        "phone": str(booking.phone),
        "email": booking.email,
        "address": booking.address,
        "scheduled_date": booking.scheduled_date.isoformat(),
        "scheduled_time": booking.scheduled_time.isoformat(),
        "status": booking.status,
        "priority": booking.priority,
        "appliance_type": booking.appliance_type,
        "issue": booking.issue,
        "duration_minutes": booking.duration_minutes or "",
        "technician": booking.technician_id or "",
        "dispatcher_notes": booking.dispatcher_notes,
        "source": booking.source,
        "work_order_number": booking.work_order_number,
        "claim_number": booking.claim_number,
        "authorization_number": booking.authorization_number,
        "partner_reference": booking.partner_reference,
        "_save": "Save",
    }
    data.update(overrides)
    return data


# --- E-mail --------------------------------------------------------------------------------


def run_worker() -> None:
    """The real database worker: run every task that is due, then exit."""
    args = ["db_worker", "--batch", "--no-reload", "--no-startup-delay"]
    if connection.in_atomic_block:
        # Inside a test's wrapping transaction the worker's connection housekeeping would close
        # the connection and lose the test's rows; transactional tests run it unpatched.
        with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
            call_command(*args, verbosity=0)
    else:
        call_command(*args, verbosity=0)


class FailingBackend(BaseEmailBackend):
    """An e-mail backend whose mail server is down, for the retry tests."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


FAILING_MAIL = f"{__name__}.FailingBackend"
