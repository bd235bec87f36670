"""The webhook tests' toolbox: a real HTTP receiver on 127.0.0.1, and endpoints for the cast.

The receiver (the `webhook_receiver` fixture in /conftest.py) is http.server in a thread: the
worker's POSTs cross a real socket, and each is verified with the `standardwebhooks` package,
as a partner's own receiver would.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from rest_framework.test import APIClient
from standardwebhooks.webhooks import Webhook

from booking.models import Booking
from booking.tests.helpers import contract_body, post_booking
from webhooks.services import endpoint_create


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: str

    @property
    def event(self) -> dict:
        return json.loads(self.body)

    def verified(self, secret: str) -> dict:
        """The event, if its signature checks out with `secret` (else WebhookVerificationError)."""
        return Webhook(secret).verify(self.body, self.headers)


@dataclass
class Receiver:
    """What a partner's server got; `answers` are the status codes it gives, in turn (then 200)."""

    url: str = ""
    answers: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)

    def events(self, path: str = "") -> list[dict]:
        return [r.event for r in self.requests if r.path.startswith(path or "/")]


def start_receiver() -> tuple[Receiver, ThreadingHTTPServer]:
    receiver = Receiver()
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length", 0))
            body = self.rfile.read(length).decode()
            with lock:
                receiver.requests.append(Received(self.path, dict(self.headers.items()), body))
                status = receiver.answers.pop(0) if receiver.answers else 200
            self.send_response(status)
            self.send_header("Content-Type", "text/plain")
            self.end_headers()
            self.wfile.write(b"ok, thanks" if status < 300 else b"receiver broke: try later")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return receiver, server


def endpoint(shop, url: str, *, account=None, events=None):
    """(endpoint, secret) at `url`: the account's if given, else shop-wide."""
    return endpoint_create(shop=shop, url=url, account=account, events=events)


def book_as_partner(shop, key: str, **body) -> Booking:
    """A booking made with a partner's key through the API, as the partner's system makes it."""
    response = post_booking(APIClient(), contract_body(shop, **body), key=key)
    assert response.status_code == 201, response.json()
    return Booking.objects.get(pk=response.json()["booking_id"])
