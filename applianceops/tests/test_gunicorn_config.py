"""The shipped gunicorn.conf.py keeps answering while clients stall their uploads."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request

import pytest

from booking.tests.helpers import contract_body

STALLED = 4
# Generous: this asserts "was answered at all", not how fast.
ANSWERED_WITHIN = 30

pytestmark = pytest.mark.slow


def _stalled_upload(port: int) -> socket.socket:
    """A client that sends its headers and the first byte of a 10 kB body, then nothing."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(
        b"POST /api/booking/book HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nContent-Length: 10000\r\n\r\n{"
    )
    return sock


def test_four_stalled_uploads_do_not_stop_other_clients_being_served(gunicorn, shop_a):
    # The shipped configuration with two processes, as on a small host: four stalled clients
    # would block two sync workers. (--bind and --workers on the command line win over it.)
    base = gunicorn(workers=2, options=("-c", "gunicorn.conf.py"))
    port = int(base.rsplit(":", 1)[1])
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
