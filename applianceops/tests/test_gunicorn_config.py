"""The shipped gunicorn.conf.py keeps answering while clients stall their uploads."""

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
from django.db import connection

from booking.tests.test_book_api import contract_body
from faults.throwaway import free_port

ROOT = Path(__file__).resolve().parents[2]
STALLED = 4
# Generous: this asserts "was answered at all", not how fast.
ANSWERED_WITHIN = 30

pytestmark = pytest.mark.slow


def _database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _stalled_upload(port: int) -> socket.socket:
    """A client that sends its headers and the first byte of a 10 kB body, then nothing."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        b"POST /api/booking/book HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"
    )
    return sock


@pytest.fixture
def gunicorn(transactional_db):
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "true",
        "DATABASE_URL": _database_url(),
        # Two processes, as on a small host: four stalled clients would block two sync workers.
        "WEB_CONCURRENCY": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                process.terminate()
                pytest.fail("gunicorn did not start within 30 seconds")
            time.sleep(0.2)
    yield base, port
    process.terminate()
    process.wait(timeout=30)


def test_four_stalled_uploads_do_not_stop_other_clients_being_served(gunicorn, shop_a):
    base, port = gunicorn
    # Connections made one after another land on both workers, as a load balancer's would.
    stalled = [_stalled_upload(port) for _ in range(STALLED)]
    try:
        time.sleep(0.5)  # let each worker take its stalled clients into a thread
        with urllib.request.urlopen(base + "/healthz", timeout=ANSWERED_WITHIN) as response:
            health = response.status
        request = urllib.request.Request(
            base + "/api/booking/book",
            data=json.dumps(contract_body(shop_a)).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=ANSWERED_WITHIN) as response:
            booked = response.status
    except (TimeoutError, urllib.error.URLError) as exc:
        pytest.fail(f"a client was not served while {STALLED} uploads stalled: {exc!r}")
    finally:
        for sock in stalled:
            sock.close()

    assert (health, booked) == (200, 201)
