"""An owner's change holds for the very next booking on every gunicorn worker (booking.facts)."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from booking.models import Booking
from booking.tests.helpers import BOOK_API, contract_body, next_working_day
from tenants.models import BlackoutDate

pytestmark = pytest.mark.slow


def _post(url: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _workers_that_answered(access_log: Path, *, requests: int) -> set[str]:
    deadline = time.monotonic() + 10
    while True:
        posts = [line.split()[0] for line in access_log.read_text().splitlines() if "POST" in line]
        if len(posts) >= requests or time.monotonic() > deadline:
            return set(posts)
        time.sleep(0.1)


@pytest.fixture
def warm_workers(gunicorn, shop_a, tmp_path):
    """(base URL, access log) of two threaded gunicorn workers that have each booked already."""
    access_log = tmp_path / "access.log"
    base = gunicorn(
        workers=2,
        options=("--access-logfile", str(access_log), "--access-logformat", "%(p)s %(m)s"),
        PUBLIC_REQUESTS_PER_HOUR="1000",
        PUBLIC_BOOKINGS_PER_HOUR="1000",
    )
    day = next_working_day(shop_a, days_ahead=3)
    for _ in range(6):
        assert _post(base + BOOK_API, contract_body(shop_a, scheduled_date=str(day)))[0] == 201
    assert len(_workers_that_answered(access_log, requests=6)) == 2
    return base, access_log


def test_a_blackout_an_owner_adds_turns_away_the_very_next_booking_on_every_worker(
    warm_workers, shop_a
):
    base, access_log = warm_workers
    day = next_working_day(shop_a, days_ahead=3)

    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=day, reason="Closed")
    answers = [
        _post(base + BOOK_API, contract_body(shop_a, scheduled_date=str(day))) for _ in range(8)
    ]

    assert {status for status, _ in answers} == {400}
    assert {body["code"] for _, body in answers} == {"no_availability"}
    assert Booking.objects.filter(scheduled_date=day).count() == 6
    assert len(_workers_that_answered(access_log, requests=14)) == 2


def test_settings_an_owner_saves_hold_for_the_very_next_booking_on_every_worker(
    warm_workers, shop_a
):
    base, _ = warm_workers
    settings = shop_a.booking_settings
    settings.service_zip_codes = ["90210"]
    settings.save()

    outside = [_post(base + BOOK_API, contract_body(shop_a)) for _ in range(4)]
    settings.booking_enabled = False
    settings.save()
    off = [_post(base + BOOK_API, contract_body(shop_a)) for _ in range(4)]

    assert [body["code"] for _, body in outside] == ["outside_service_area"] * 4
    assert [status for status, _ in off] == [404] * 4
    assert Booking.objects.count() == 6
