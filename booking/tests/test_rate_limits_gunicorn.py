"""The limits hold across processes: gunicorn workers that share nothing but Redis."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from booking.tests.test_book_api import contract_body

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not settings.REDIS_URL, reason="needs Redis shared by the workers"),
]

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


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


@pytest.fixture
def gunicorn(transactional_db, tmp_path):
    port = _free_port()
    access_log = tmp_path / "access.log"
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "NUM_PROXIES": "1",
        "PUBLIC_REQUESTS_PER_HOUR": "9",
        "PUBLIC_BOOKINGS_PER_HOUR": "5",
    }
    # --max-requests 1: every request is served by a fresh worker process, so nothing held in
    # one process's memory can carry a count from one request to the next.
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "applianceops.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--max-requests",
            "1",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(p)s %(m)s %(s)s",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            break
        except OSError:
            time.sleep(0.2)
    else:
        process.terminate()
        pytest.fail("gunicorn did not start within 30 seconds")
    yield base, access_log
    process.terminate()
    process.wait(timeout=15)


def test_the_booking_limit_holds_across_gunicorn_workers(gunicorn, shop_a):
    base, access_log = gunicorn

    statuses = [
        _post(base + "/api/booking/book", contract_body(shop_a), "198.51.100.1")[0]
        for _ in range(7)
    ]

    assert statuses == [201] * 5 + [429, 429]
    posts = _logged_posts(access_log, expected=7)
    assert len({pid for pid, _method, _status in posts}) == 7


def _logged_posts(access_log, *, expected: int) -> list[list[str]]:
    """The access log's POST lines; gunicorn writes a line after sending its response, so the
    last one may land a moment after the client has its answer (seen on a loaded machine)."""
    deadline = time.monotonic() + 10
    while True:
        lines = access_log.read_text().splitlines()
        posts = [line.split() for line in lines if " POST " in line]
        if len(posts) >= expected or time.monotonic() > deadline:
            return posts
        time.sleep(0.1)


def test_the_request_limit_holds_across_gunicorn_workers(gunicorn, shop_a):
    base, _ = gunicorn

    statuses = [_post(base + "/api/booking/book", {}, "198.51.100.2")[0] for _ in range(10)]

    assert statuses == [400] * 9 + [429]
