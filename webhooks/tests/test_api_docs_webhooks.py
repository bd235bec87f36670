"""/api/docs describes webhooks, and its Python and Node verification examples verify a real
delivery as written (and refuse a tampered one)."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import shutil
import subprocess

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from booking.tests.helpers import book, run_worker
from webhooks.models import ALL_EVENTS
from webhooks.tests.helpers import endpoint


@pytest.fixture
def docs(client, db) -> str:
    return client.get("/api/docs").content.decode()


@pytest.fixture
def delivered(shop_a, webhook_receiver, freeze_now, django_capture_on_commit_callbacks):
    """(secret, headers with lower-case names, body) of one real delivery."""
    freeze_now(dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC))
    _, secret = endpoint(shop_a, webhook_receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        book(shop_a)
    run_worker()
    [received] = webhook_receiver.requests
    return secret, {k.lower(): v for k, v in received.headers.items()}, received.body


def example(docs: str, element_id: str) -> str:
    found = re.search(rf'<pre tabindex="0" id="{element_id}"><code>(.*?)</code></pre>', docs, re.S)
    assert found, f"no #{element_id} example"
    return html.unescape(found.group(1))


def test_the_docs_list_every_event_and_the_signature_headers(docs):
    assert '<a href="#webhooks">Webhooks</a>' in docs
    for event in ALL_EVENTS:
        assert f"<code>{event}</code>" in docs
    for header in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        assert f"<code>{header}</code>" in docs


def test_the_python_example_verifies_a_delivery_and_refuses_a_forgery(docs, delivered):
    secret, headers, body = delivered
    namespace = {"APPLIANCEOPS_WEBHOOK_SECRET": secret}
    exec(example(docs, "verify-python"), namespace)

    assert namespace["verify_webhook"](headers, body.encode())["type"] == "booking.created"
    forged = body.replace('"test":false', '"test":true')
    with pytest.raises(WebhookVerificationError):
        namespace["verify_webhook"](headers, forged.encode())


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js")
def test_the_node_example_verifies_a_delivery_and_refuses_a_forgery(docs, delivered):
    secret, headers, body = delivered
    script = example(docs, "verify-node") + (
        "\nconst input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "\ntry { console.log(verifyWebhook(input.secret, input.headers, input.body).type); }"
        "\ncatch (err) { console.log('refused: ' + err.message); }"
    )

    def run(text: str) -> str:
        given = json.dumps({"secret": secret, "headers": headers, "body": text})
        done = subprocess.run(
            ["node", "-e", script], input=given, capture_output=True, text=True, timeout=30
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert run(body) == "booking.created"
    assert run(body.replace("Jane", "Jake")) == "refused: not a genuine ApplianceOps webhook"
