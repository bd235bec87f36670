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


# POSTs sent so far per server (its access log): the log is read only once they are all in it.
_sent: dict[Path, int] = {}


def _answered_by(access_log: Path, *, requests: int) -> list[str]:
    """The worker pid of each POST so far, in order; a worker logs just after it answers."""
    deadline = time.monotonic() + 10
    while True:
        posts = [line.split()[0] for line in access_log.read_text().splitlines() if "POST" in line]
        if len(posts) >= requests or time.monotonic() > deadline:
            return posts
        time.sleep(0.1)


def _until_both_workers_answer(base: str, access_log: Path, body: dict) -> list[tuple[int, dict]]:
    """POST `body` (each on a new connection) until both workers have answered one of these."""
    already = len(_answered_by(access_log, requests=_sent[access_log]))
    answers = []
    while len(answers) < 60:
        answers.append(_post(base + BOOK_API, body))
        if len(set(_answered_by(access_log, requests=already + len(answers))[already:])) == 2:
            _sent[access_log] = already + len(answers)
            return answers
    raise AssertionError("one worker answered 60 requests in a row")


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
    _sent[access_log] = 0
    day = next_working_day(shop_a, days_ahead=3)
    warm = _until_both_workers_answer(
        base, access_log, contract_body(shop_a, scheduled_date=str(day))
    )
    assert {status for status, _ in warm} == {201}
    return base, access_log


def test_a_blackout_an_owner_adds_turns_away_the_very_next_booking_on_every_worker(
    warm_workers, shop_a
):
    base, access_log = warm_workers
    day = next_working_day(shop_a, days_ahead=3)
    booked = Booking.objects.filter(scheduled_date=day).count()

    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=day, reason="Closed")
    body = contract_body(shop_a, scheduled_date=str(day))
    answers = _until_both_workers_answer(base, access_log, body)

    assert {status for status, _ in answers} == {400}
    assert {body["code"] for _, body in answers} == {"no_availability"}
    assert Booking.objects.filter(scheduled_date=day).count() == booked


def test_settings_an_owner_saves_hold_for_the_very_next_booking_on_every_worker(
    warm_workers, shop_a
):
    base, access_log = warm_workers
    booked = Booking.objects.count()
    settings = shop_a.booking_settings
    settings.service_zip_codes = ["90210"]
    settings.save()

    outside = _until_both_workers_answer(base, access_log, contract_body(shop_a))
    settings.booking_enabled = False
    settings.save()
    off = _until_both_workers_answer(base, access_log, contract_body(shop_a))

    assert {body["code"] for _, body in outside} == {"outside_service_area"}
    assert {status for status, _ in off} == {404}
    assert Booking.objects.count() == booked
