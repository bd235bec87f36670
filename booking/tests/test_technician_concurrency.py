"""Many bookings at once through every door, for a shop with technicians: nobody is put on two
overlapping jobs and no start gets more jobs than technicians on shift for it.

Real threads (each with its own connection) through Django's test client, and real gunicorn
worker processes over HTTP, released together by a barrier. The suite runs on a file SQLite by
default and on PostgreSQL when DATABASE_URL says so (CI does both). What keeps a technician off
two jobs is the Occupancy table's unique constraint: with it removed, both booking tests fail
on both databases (tried by hand when they were written). The last test moves one technician's
jobs from many threads at once: without the lock every write of a technician's time takes
first, PostgreSQL found a deadlock in one run of three.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable

import pytest
import requests
from django.test import Client

from booking import ledger
from booking.capacity import job_end, ticks
from booking.models import Booking, Occupancy
from booking.services import BookingError, booking_reschedule
from booking.tests.helpers import BOOK_API, at_once, book, next_working_day
from schedulerAccounts.tests.helpers import portal_login, scheduler_account
from technicians.tests.helpers import hire
from tenants.models import Membership
from tenants.tests.factories import MembershipFactory, ShopFactory, UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

PER_DOOR = 6
APPLIANCES = ["Refrigerator", "Washer", "Dryer"]  # 90, 90 and 60 minutes
WINDOWS = ["am", "10:00", "", "pm", "09:00", "am"]


@pytest.fixture
def crew_shop():
    """A shop with three technicians: Ann all day, Bo mornings on refrigerators and washers,
    Cy afternoons; an owner, and a partner account with a portal login."""
    shop = ShopFactory(slug="crew-shop", name="Crew Shop")
    hire(shop, "Ann Lee")
    hire(shop, "Bo Diaz", skills=["Refrigerator", "Washer"], hours=("08:00", "12:00"))
    hire(shop, "Cy Park", hours=("12:00", "17:00"))
    owner = MembershipFactory(
        user=UserFactory(username="crew-owner"), shop=shop, role=Membership.Role.OWNER
    ).user
    account, _ = scheduler_account(shop, "Crew Partner", "crew")
    return shop, owner, portal_login(account)


def customer(n: int) -> dict:
    return {
        "name": f"Customer {n}",
        "phone": f"+1661555{n:04d}",
        "address": "123 Main St, Lancaster CA 93534",
        "appliance_type": APPLIANCES[n % len(APPLIANCES)],
    }


def window(n: int, door: str) -> str:
    """What request n asks for, as the door takes it: the page offers windows only."""
    asked = WINDOWS[n % len(WINDOWS)]
    if door == "page" and ":" in asked:
        return "am"
    return asked


def api_body(shop, day, n: int) -> dict:
    c = customer(n)
    return {
        "slug": shop.slug,
        **c,
        "scheduled_date": day.isoformat(),
        "time_slot": window(n, "api"),
    }


def form_body(shop, day, n: int, door: str) -> dict:
    c = customer(n)
    common = {**c, "scheduled_date": day.isoformat(), "time_slot": window(n, door)}
    if door == "page":
        return common | {"website": ""}
    if door == "portal":
        return common
    return {
        "shop": str(shop.pk),
        "customer_name": c["name"],
        "phone": c["phone"],
        "address": c["address"],
        "appliance_type": c["appliance_type"],
        "scheduled_date": day.isoformat(),
        "time_slot": window(n, door),
        "priority": "normal",
        "_save": "Save",
    }


# --- What must hold afterwards ------------------------------------------------------------


def assert_no_technician_double_booked(shop, day: dt.date, booked: int) -> None:
    """Every job is someone's, nobody's jobs overlap, each fits its shift, the occupancy rows
    are exactly the jobs' spans, and no start has more jobs than technicians on shift."""
    jobs = list(
        Booking.objects.holding_seats()
        .filter(shop=shop, scheduled_date=day)
        .select_related("technician")
        .prefetch_related("technician__shifts")
    )
    assert len(jobs) == booked
    assert all(job.technician_id for job in jobs), "nobody asked to overbook"
    by_technician = defaultdict(list)
    for job in jobs:
        by_technician[job.technician].append(job)
    for technician, theirs in by_technician.items():
        theirs.sort(key=lambda job: job.scheduled_time)
        for before, after in zip(theirs, theirs[1:], strict=False):
            ends = job_end(before.scheduled_time, before.duration_minutes).time()
            assert ends <= after.scheduled_time, f"{technician} double-booked: {before}, {after}"
        shift = technician.shift_on(day)
        for job in theirs:
            assert shift.covers(
                job.scheduled_time, job_end(job.scheduled_time, job.duration_minutes).time()
            )
    expected = {
        (job.technician_id, day, tick)
        for job in jobs
        for tick in ticks(job.scheduled_time, job.duration_minutes)
    }
    rows = Occupancy.objects.filter(technician__shop=shop)
    assert set(rows.values_list("technician_id", "date", "time")) == expected
    assert rows.count() == len(expected)
    assert [finding.message for finding in ledger.run_checks()] == []
    per_start = Counter(job.scheduled_time for job in jobs)
    for start, count in per_start.items():
        on_shift = [
            t for t in shop.technicians.all() if (s := t.shift_on(day)) and s.start <= start < s.end
        ]
        assert count <= len(on_shift), (start, count)


def fire_together(calls: list[Callable[[], tuple[int, str]]]) -> list[tuple[int, str]]:
    """Run every call from its own thread at the same moment: [(status, body)]."""
    return at_once(calls, failed=lambda exc: (-1, repr(exc)))


def successes(results: list[tuple[int, str]], doors: list[str]) -> int:
    """How many booked, after checking every answer is a booking or a plain refusal."""
    booked = 0
    for door, (status, body) in zip(doors, results, strict=True):
        assert status in (200, 201, 302, 400), (door, status, body[:500])
        if status in (201, 302):
            booked += 1
        else:
            refused = "filled up", "No availability", "No start time"
            assert any(words in body for words in refused), (door, _errors(body))
    return booked


def _errors(html: str) -> list[str]:
    """The error lists of a form page, for a failure's message."""
    return re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S) or [html[:500]]


# --- Through Django's test client, in threads ---------------------------------------------


def test_simultaneous_bookings_through_every_door_never_double_book_a_technician(crew_shop):
    shop, owner, agent = crew_shop
    day = next_working_day(shop, days_ahead=3)
    calls, doors = [], []
    for n in range(PER_DOOR * 4):
        door = ["api", "page", "portal", "admin"][n % 4]
        client = Client(REMOTE_ADDR=f"10.0.{n // 250}.{n % 250 + 1}")
        if door == "portal":
            client.force_login(agent)
        elif door == "admin":
            client.force_login(owner)
        calls.append(_client_call(client, shop, day, n, door))
        doors.append(door)

    results = fire_together(calls)

    booked = successes(results, doors)
    assert_no_technician_double_booked(shop, day, booked)
    assert 0 < booked < len(calls), "some booked, some were turned away: the day filled"


def _client_call(client: Client, shop, day, n: int, door: str):
    def call() -> tuple[int, str]:
        if door == "api":
            response = client.post(
                BOOK_API, api_body(shop, day, n), content_type="application/json"
            )
        else:
            url = {"page": f"/book/{shop.slug}", "portal": "/scheduler/"}.get(door)
            response = client.post(
                url or "/admin/booking/booking/add/", form_body(shop, day, n, door)
            )
        return response.status_code, response.content.decode()

    return call


# --- Through gunicorn worker processes, over HTTP -----------------------------------------

_CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def test_simultaneous_bookings_through_gunicorn_workers_never_double_book_a_technician(
    crew_shop, gunicorn
):
    shop, owner, agent = crew_shop
    base = gunicorn(workers=4, DEBUG="true", NUM_PROXIES="1")
    day = next_working_day(shop, days_ahead=3)
    calls, doors = [], []
    for n in range(PER_DOOR * 4):
        door = ["api", "page", "portal", "admin"][n % 4]
        calls.append(_http_call(base, shop, day, n, door, {"portal": agent, "admin": owner}))
        doors.append(door)

    results = fire_together(calls)

    booked = successes(results, doors)
    assert_no_technician_double_booked(shop, day, booked)
    assert 0 < booked < len(calls)


def _http_call(base: str, shop, day, n: int, door: str, users: dict):
    """A prepared request: signed in and holding its form's CSRF token before the barrier."""
    session = requests.Session()
    session.headers["X-Forwarded-For"] = f"198.51.100.{n + 1}"
    if door in users:
        signed_in = Client()
        signed_in.force_login(users[door])
        session.cookies.set("sessionid", signed_in.cookies["sessionid"].value)
    if door == "api":
        url, data = base + BOOK_API, None
    else:
        path = {"page": f"/book/{shop.slug}", "portal": "/scheduler/"}.get(door)
        url = base + (path or "/admin/booking/booking/add/")
        page = session.get(url, timeout=30)
        data = form_body(shop, day, n, door) | {
            "csrfmiddlewaretoken": _CSRF_RE.search(page.text).group(1)
        }

    def call() -> tuple[int, str]:
        if data is None:
            response = session.post(url, json=api_body(shop, day, n), timeout=60)
        else:
            response = session.post(url, data=data, timeout=60, allow_redirects=False)
        return response.status_code, response.text

    return call


# --- Moves of one technician's jobs at once -----------------------------------------------

MOVERS = 8
MOVES_EACH = 80


def test_simultaneous_moves_of_one_technicians_jobs_never_deadlock():
    """Each move gives back its job's time and writes the new: two moves whose new spans lie
    on each other's old ones would wait for each other's rows (PostgreSQL: a deadlock, one of
    them a 500) but for the lock on the technician every write of their time takes first."""
    shop = ShopFactory(slug="one-tech-shop")
    hire(shop, "Solo Sam", weekdays=range(7))
    settings = shop.booking_settings
    settings.working_weekdays = list(range(7))
    settings.save()
    day = next_working_day(shop, days_ahead=3)
    jobs = [book(shop, day, hour, appliance="Dryer").pk for hour in ("08:00", "10:00", "12:00")]
    starts = [dt.time(hour) for hour in range(8, 16)]

    def mover(index: int) -> None:
        rng = random.Random(index)
        for _ in range(MOVES_EACH):
            booking = Booking.objects.select_related("shop").get(pk=rng.choice(jobs))
            try:
                booking_reschedule(
                    booking=booking,
                    new_date=day,
                    new_time=rng.choice(starts),
                    notify_customer=False,
                )
            except BookingError:
                pass  # Sam is busy then: refusals are expected

    errors = [
        failure
        for failure in at_once(
            [lambda i=i: mover(i) for i in range(MOVERS)],
            failed=repr,
            seconds=300,
        )
        if failure
    ]
    assert errors == []
    assert ledger.run_checks() == []
    assert_no_technician_double_booked(shop, day, len(jobs))
