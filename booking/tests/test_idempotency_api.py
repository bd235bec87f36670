"""Idempotency-Key on POST /api/booking/book: a retry gets the first answer, never a second
booking. The cancel and reschedule endpoints' keys are in test_partner_bookings_api.py."""

from __future__ import annotations

import datetime as dt
import threading
from unittest import mock

import pytest
from django.core.management import call_command
from django.db import connections
from django.test import Client
from django.utils import timezone

from booking.models import Booking, IdempotencyRecord, Notification, SeatCounter
from booking.tests.helpers import BOOK_API, contract_body, post_booking

KEY = "5f0c2d3e-6a1b-4c9d-8e7f-0a1b2c3d4e5f"


def post(api_client, body, key=KEY, **request):
    return post_booking(api_client, body, HTTP_IDEMPOTENCY_KEY=key, **request)


def test_a_retry_with_the_key_gets_the_first_answer_and_books_once(api_client, shop_a):
    body = contract_body(shop_a)

    first = post(api_client, body)
    retry = post(api_client, body)

    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first
    assert Booking.objects.count() == 1
    assert SeatCounter.objects.get(booked__gt=0).booked == 1
    # The confirmation and the shop's alert, once.
    assert Notification.objects.count() == 2


def test_requests_without_a_key_are_not_deduplicated(api_client, shop_a):
    body = contract_body(shop_a)

    post_booking(api_client, body)
    post_booking(api_client, body)

    assert Booking.objects.count() == 2
    assert not IdempotencyRecord.objects.exists()


def test_the_same_key_with_another_body_is_refused(api_client, shop_a):
    post(api_client, contract_body(shop_a))

    response = post(api_client, contract_body(shop_a, name="John Smith"))

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert Booking.objects.count() == 1


def test_a_refusal_is_kept_and_replayed_too(api_client, shop_a):
    body = contract_body(shop_a, scheduled_date="2026-06-03")

    first = post(api_client, body)
    retry = post(api_client, body)

    assert first.status_code == retry.status_code == 400
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"


def test_a_server_error_keeps_nothing_so_the_retry_books(api_client, shop_a):
    body = contract_body(shop_a)
    with mock.patch("booking.api.partner_booking_create", side_effect=RuntimeError("db gone")):
        failed = post(api_client, body)
    kept_after_failure = IdempotencyRecord.objects.count()

    retry = post(api_client, body)

    assert failed.status_code == 500
    assert kept_after_failure == 0
    assert retry.status_code == 201
    assert "Idempotent-Replayed" not in retry
    assert Booking.objects.count() == 1


def test_an_answer_lost_after_the_commit_is_replayed_not_booked_again(api_client, shop_a):
    """The booking committed and the answer was lost on the way (here: the view failed after
    the commit): the retry finds the kept answer."""
    body = contract_body(shop_a)
    with mock.patch("booking.api.Response", side_effect=RuntimeError("connection reset")):
        lost = post(api_client, body)

    retry = post(api_client, body)

    assert lost.status_code == 500
    assert retry.status_code == 201
    assert retry["Idempotent-Replayed"] == "true"
    assert str(Booking.objects.get().pk) == retry.json()["booking_id"]


def test_a_rate_limited_request_keeps_nothing(api_client, shop_a, settings):
    settings.PUBLIC_BOOKINGS_PER_HOUR = 1
    post_booking(api_client, contract_body(shop_a))
    body = contract_body(shop_a, name="John Smith")

    limited = post(api_client, body)
    settings.PUBLIC_BOOKINGS_PER_HOUR = 2
    later = post(api_client, body)

    assert limited.status_code == 429
    assert later.status_code == 201
    assert "Idempotent-Replayed" not in later


def test_a_replay_uses_no_booking_quota(api_client, shop_a, settings):
    settings.PUBLIC_BOOKINGS_PER_HOUR = 2
    body = contract_body(shop_a)

    replays = [post(api_client, body).status_code for _ in range(4)]
    second = post(api_client, contract_body(shop_a, name="John Smith"), key="another-key")
    third = post(api_client, contract_body(shop_a, name="Jim Smith"), key="a-third-key")

    assert replays == [201] * 4
    assert second.status_code == 201
    assert third.status_code == 429


def test_a_replay_still_counts_as_a_request(api_client, shop_a):
    body = contract_body(shop_a)

    first = post(api_client, body)
    retry = post(api_client, body)

    assert int(retry["RateLimit-Remaining"]) == int(first["RateLimit-Remaining"]) - 1


def test_a_key_is_the_callers_own(api_client, shop_a, account_a, account_a2):
    """Keys are scoped: another partner, or another client address, with the same key books."""
    body = contract_body(shop_a)

    public = post(api_client, body)
    other_address = post(api_client, body, REMOTE_ADDR="203.0.113.9")
    partner = post(api_client, body, HTTP_AUTHORIZATION=f"Bearer {account_a[1]}")
    other_partner = post(api_client, body, HTTP_AUTHORIZATION=f"Bearer {account_a2[1]}")
    partner_again = post(api_client, body, HTTP_AUTHORIZATION=f"Bearer {account_a[1]}")

    assert [r.status_code for r in (public, other_address, partner, other_partner)] == [201] * 4
    assert (
        len({r.json()["booking_id"] for r in (public, other_address, partner, other_partner)}) == 4
    )
    assert partner_again.json() == partner.json()
    assert partner_again["Idempotent-Replayed"] == "true"


def test_the_public_key_is_scoped_to_the_shop_it_names(api_client, shop_a, shop_b):
    at_a = post(api_client, contract_body(shop_a))
    at_b = post(api_client, contract_body(shop_b))

    assert at_a.status_code == at_b.status_code == 201
    assert Booking.objects.filter(shop=shop_b).exists()


@pytest.mark.parametrize("key", ["", "x" * 256, "naïve", "tab\there"])
def test_a_malformed_key_is_a_400(api_client, shop_a, key):
    response = post(api_client, contract_body(shop_a), key=key)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not Booking.objects.exists()


def test_the_drafts_quoted_form_of_a_key_is_the_same_key(api_client, shop_a):
    body = contract_body(shop_a)

    post(api_client, body, key="abc-123")
    retry = post(api_client, body, key='"abc-123"')

    assert retry["Idempotent-Replayed"] == "true"


def test_an_answer_is_kept_for_a_day_then_the_key_is_free(api_client, shop_a, freeze_now):
    post(api_client, contract_body(shop_a))
    freeze_now(timezone.now() + dt.timedelta(hours=24, minutes=1))

    response = post(api_client, contract_body(shop_a, name="John Smith"))

    assert response.status_code == 201
    assert Booking.objects.count() == 2


def test_the_lifetime_is_a_setting(api_client, shop_a, freeze_now, settings):
    settings.IDEMPOTENCY_KEY_HOURS = 48
    body = contract_body(shop_a)
    post(api_client, body)
    freeze_now(timezone.now() + dt.timedelta(hours=30))

    assert post(api_client, body)["Idempotent-Replayed"] == "true"


@pytest.mark.django_db(transaction=True)
def test_a_second_request_while_the_first_runs_is_told_to_retry_in_a_second(shop_a):
    """Two real requests: the first is held inside the view while the second arrives."""
    from booking import api

    inside, release = threading.Event(), threading.Event()
    body = contract_body(shop_a)
    real_shop_for = api.shop_for
    answers = {}

    def slow_shop_for(*args, **kwargs):
        inside.set()
        assert release.wait(30)
        return real_shop_for(*args, **kwargs)

    def send():
        return Client().post(
            BOOK_API, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=KEY
        )

    def first():
        try:
            answers["first"] = send()
        finally:
            # The test client leaves a request's connection open; a thread that ends holding
            # it never gives it back to PostgreSQL's pool (one fewer for every later test).
            connections.close_all()

    with mock.patch.object(api, "shop_for", side_effect=slow_shop_for):
        thread = threading.Thread(target=first)
        thread.start()
        assert inside.wait(30)
        second = send()
        release.set()
        thread.join(30)
    third = send()

    assert second.status_code == 409
    assert second.json()["code"] == "idempotency_conflict"
    assert second["Retry-After"] == "1"
    assert answers["first"].status_code == 201
    assert third["Idempotent-Replayed"] == "true"
    assert third.json() == answers["first"].json()
    assert Booking.objects.count() == 1


def test_a_claim_left_by_a_dead_worker_is_taken_over_by_the_retry(api_client, shop_a):
    body = contract_body(shop_a)
    with mock.patch("booking.idempotency.settle"):
        # The worker dies between its claim and its answer: nothing written, nothing kept.
        with mock.patch("booking.api.partner_booking_create", side_effect=RuntimeError):
            post(api_client, body)
    record = IdempotencyRecord.objects.get()
    assert record.status_code is None

    soon = post(api_client, body)
    IdempotencyRecord.objects.update(claimed_at=timezone.now() - dt.timedelta(minutes=2))
    later = post(api_client, body)

    assert soon.status_code == 409
    assert later.status_code == 201
    assert Booking.objects.count() == 1


def test_old_records_are_pruned(api_client, shop_a, freeze_now):
    post(api_client, contract_body(shop_a))
    post(api_client, contract_body(shop_a, name="John Smith"), key="fresh")
    IdempotencyRecord.objects.filter(key=KEY).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )

    call_command("prune_idempotency_keys", verbosity=0)

    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["fresh"]
