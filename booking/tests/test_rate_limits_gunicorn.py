"""The limits hold across processes: gunicorn workers that share nothing but Redis."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from booking.tests.helpers import BOOK_API, contract_body

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis shared by the workers"),
]


def _post(url: str, body: dict, client: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "X-Forwarded-For": client},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def _served_by(access_log: Path, *, requests: int) -> set[str]:
    """The worker pids that logged the POSTs; a worker logs just after its response is sent."""
    deadline = time.monotonic() + 10
    while True:
        posts = [line.split() for line in access_log.read_text().splitlines() if " POST " in line]
        if len(posts) >= requests or time.monotonic() > deadline:
            return {pid for pid, _method, _status in posts}
        time.sleep(0.1)


@pytest.fixture
def served(gunicorn, tmp_path):
    """(base URL, access log) of two gunicorn workers behind one proxy, sharing only Redis."""
    access_log = tmp_path / "access.log"
    # --max-requests 1: every request is served by a fresh worker process, so nothing held in
    # one process's memory can carry a count from one request to the next. Sync workers, not
    # gunicorn.conf.py's threaded ones (which gunicorn loads from the project folder unasked):
    # a threaded worker takes the next request while it winds down.
    base = gunicorn(
        workers=2,
        options=(
            *("--worker-class", "sync", "--threads", "1"),
            *("--max-requests", "1"),
            *("--access-logfile", str(access_log), "--access-logformat", "%(p)s %(m)s %(s)s"),
        ),
        DEBUG="true",
        NUM_PROXIES="1",
        PUBLIC_REQUESTS_PER_HOUR="9",
        PUBLIC_BOOKINGS_PER_HOUR="5",
    )
    return base, access_log


def test_the_booking_limit_holds_across_gunicorn_workers(served, shop_a):
    base, access_log = served

    statuses = [_post(base + BOOK_API, contract_body(shop_a), "198.51.100.1")[0] for _ in range(7)]

    assert statuses == [201] * 5 + [429, 429]
    assert len(_served_by(access_log, requests=7)) == 7


def test_the_request_limit_holds_across_gunicorn_workers(served, shop_a):
    base, _ = served

    statuses = [_post(base + BOOK_API, {}, "198.51.100.2")[0] for _ in range(10)]

    assert statuses == [400] * 9 + [429]
