from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.core import mail
from django.db import transaction

from booking.services import booking_cancel
from booking.tests.helpers import book, run_worker
from webhooks.delivery import MAX_ATTEMPTS, RETRY_DELAYS
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.services import endpoint_update
from webhooks.tests.helpers import endpoint

Status = WebhookDelivery.Status


@pytest.fixture
def now(freeze_now):
    return freeze_now(dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC))


def test_a_new_booking_reaches_a_shop_wide_endpoint_signed(
    shop_a, webhook_receiver, now, django_capture_on_commit_callbacks
):
    _, secret = endpoint(shop_a, webhook_receiver.url + "/hooks")
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(shop_a)
    run_worker()

    [received] = webhook_receiver.requests
    event = received.verified(secret)
    assert received.path == "/hooks"
    assert event["type"] == "booking.created"
    assert event["id"] == received.headers["webhook-id"]
    assert event["sequence"] == 1
    assert event["test"] is False
    assert event["data"]["booking"]["booking_id"] == str(booking.pk)
    assert event["data"]["booking"]["slug"] == shop_a.slug
    assert event["data"]["previous"] == {}
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.DELIVERED
    [attempt] = delivery.attempt_log.all()
    assert attempt.status_code == 200
    assert attempt.response_excerpt == "ok, thanks"


def test_a_receiver_that_fails_twice_gets_the_event_three_times_and_the_log_shows_all(
    shop_a, webhook_receiver, now, freeze_now, django_capture_on_commit_callbacks
):
    _, secret = endpoint(shop_a, webhook_receiver.url)
    webhook_receiver.answers = [500, 500]
    with django_capture_on_commit_callbacks(execute=True):
        book(shop_a)
    run_worker()
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.PENDING
    assert delivery.next_attempt_at == now + RETRY_DELAYS[0]

    freeze_now(now + dt.timedelta(seconds=10))
    run_worker()
    assert len(webhook_receiver.requests) == 1  # not due yet
    freeze_now(now + RETRY_DELAYS[0])
    run_worker()
    freeze_now(now + RETRY_DELAYS[0] + RETRY_DELAYS[1])
    run_worker()

    assert len(webhook_receiver.requests) == 3
    ids = {r.verified(secret)["id"] for r in webhook_receiver.requests}
    assert len(ids) == 1  # the same event each time: the receiver can tell a retry
    delivery.refresh_from_db()
    assert delivery.status == Status.DELIVERED
    assert delivery.attempts == 3
    log = list(delivery.attempt_log.values_list("status_code", "response_excerpt"))
    assert log == [
        (500, "receiver broke: try later"),
        (500, "receiver broke: try later"),
        (200, "ok, thanks"),
    ]


def test_a_rolled_back_booking_sends_nothing(
    shop_a, webhook_receiver, now, django_capture_on_commit_callbacks
):
    endpoint(shop_a, webhook_receiver.url)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            book(shop_a)
            raise RuntimeError("the rest of the request failed")
    run_worker()

    assert webhook_receiver.requests == []
    assert not WebhookDelivery.objects.exists()


def test_events_of_one_booking_carry_increasing_sequence_numbers_and_what_changed(
    shop_a, webhook_receiver, now, django_capture_on_commit_callbacks
):
    _, secret = endpoint(shop_a, webhook_receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(shop_a)
        booking_cancel(booking=booking, reason="Fixed it himself.")
    run_worker()

    events = sorted(
        (r.verified(secret) for r in webhook_receiver.requests), key=lambda e: e["sequence"]
    )
    assert [(e["type"], e["sequence"]) for e in events] == [
        ("booking.created", 1),
        ("booking.cancelled", 2),
    ]
    assert events[1]["data"]["previous"] == {"status": "scheduled", "cancel_reason": ""}
    assert events[1]["data"]["booking"]["status"] == "cancelled"


def test_an_endpoint_failing_for_a_day_is_switched_off_and_the_owner_told(
    shop_a, alice, webhook_receiver, now, freeze_now, django_capture_on_commit_callbacks
):
    hook, _ = endpoint(shop_a, webhook_receiver.url)
    webhook_receiver.answers = [503] * 20
    with django_capture_on_commit_callbacks(execute=True):
        book(shop_a)
    moment = now
    for delay in [dt.timedelta(0), *RETRY_DELAYS]:
        moment += delay
        freeze_now(moment)
        run_worker()

    assert len(webhook_receiver.requests) == MAX_ATTEMPTS
    hook.refresh_from_db()
    assert hook.is_active is False
    assert "failed for 24 hours" in hook.disabled_reason
    assert WebhookDelivery.objects.get().status == Status.FAILED
    [alert] = [m for m in mail.outbox if m.subject.startswith("Webhook endpoint switched off")]
    assert alert.to == [alice.email]
    assert hook.url in alert.subject
    # Switched off, it is sent nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        book(shop_a, phone="+16615550100")
    run_worker()
    assert len(webhook_receiver.requests) == MAX_ATTEMPTS
    assert WebhookEndpoint.objects.get().failing_since is not None

    # Switched on again, its clock starts afresh.
    endpoint_update(endpoint=hook, url=hook.url, events=hook.events, is_active=True)
    hook.refresh_from_db()
    assert (hook.is_active, hook.failing_since, hook.disabled_reason) == (True, None, "")


def test_a_redirect_is_not_followed_and_counts_as_a_failure(
    shop_a, webhook_receiver, now, django_capture_on_commit_callbacks
):
    endpoint(shop_a, webhook_receiver.url)
    webhook_receiver.answers = [302]
    with django_capture_on_commit_callbacks(execute=True):
        book(shop_a)
    run_worker()

    assert len(webhook_receiver.requests) == 1
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.last_error) == (Status.PENDING, "HTTP 302")


def test_a_receiver_slower_than_the_timeout_is_a_failed_try(
    shop_a, now, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_LOCAL = True
    monkeypatch.setattr("webhooks.delivery.REQUEST_TIMEOUT", 0.3)
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never answers
        endpoint(shop_a, f"http://127.0.0.1:{silent.getsockname()[1]}/")
        with django_capture_on_commit_callbacks(execute=True):
            book(shop_a)
        run_worker()

    [attempt] = WebhookDelivery.objects.get().attempt_log.all()
    assert attempt.status_code is None
    assert attempt.error == "TimeoutError: timed out"
    assert 250 <= attempt.duration_ms < 3000
