"""A partner reads, lists, moves and cancels its own bookings with its key."""

from __future__ import annotations

import pytest

from booking.models import Booking, Notification
from booking.partner_data import booking_for_partner
from booking.tests.helpers import (
    MONDAY,
    THURSDAY,
    TUESDAY,
    WEDNESDAY,
    at_shop,
    bearer,
    contract_body,
    fill_starts,
    post_booking,
    run_worker,
    seats_taken,
)
from schedulerAccounts.models import SchedulerAccount

Kind = Notification.Kind


@pytest.fixture
def booked(api_client, shop_a, account_a, monday_morning):
    """Account A's booking: Tuesday AM (08:00), WO-1."""
    body = contract_body(shop_a, scheduled_date=TUESDAY.isoformat(), work_order_number="WO-1")
    response = post_booking(api_client, body, key=account_a[1])
    assert response.status_code == 201
    return Booking.objects.get(pk=response.json()["booking_id"])


def get(api_client, path, key, **query):
    return api_client.get(path, query, **(bearer(key) if key else {}))


def post(api_client, path, key, body=None, **headers):
    return api_client.post(path, body or {}, format="json", **bearer(key), **headers)


# --- Reading -------------------------------------------------------------------------------


def test_a_partner_reads_its_booking(api_client, account_a, booked):
    response = get(api_client, f"/api/booking/{booked.pk}", account_a[1])

    assert response.status_code == 200
    data = response.json()
    assert data == booking_for_partner(booked)
    assert data["status"] == "scheduled"
    assert data["scheduled_time"] == "08:00:00"
    assert data["work_order_number"] == "WO-1"
    assert data["source"] == "acme"
    assert data["updated_at"].endswith("Z")
    assert "dispatcher_notes" not in data


def test_the_id_is_read_in_any_case(api_client, account_a, booked):
    response = get(api_client, f"/api/booking/{str(booked.pk).upper()}", account_a[1])

    assert response.status_code == 200


@pytest.mark.parametrize("action", ["", "/reschedule", "/cancel"])
def test_without_a_key_it_is_a_401(api_client, booked, action):
    path = f"/api/booking/{booked.pk}{action}"
    response = api_client.post(path, {}) if action else api_client.get(path)

    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert "partner key" in response.json()["error"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_the_list_needs_a_key_too(api_client, booked):
    assert api_client.get("/api/booking").status_code == 401


@pytest.mark.parametrize("action", ["", "/reschedule", "/cancel"])
def test_another_partners_booking_is_a_404(api_client, account_a2, booked, action):
    path = f"/api/booking/{booked.pk}{action}"
    body = {"scheduled_date": WEDNESDAY.isoformat()}

    response = (
        post(api_client, path, account_a2[1], body)
        if action
        else get(api_client, path, account_a2[1])
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    booked.refresh_from_db()
    assert (booked.status, booked.scheduled_date) == ("scheduled", TUESDAY)


def test_another_shops_partner_sees_nothing_of_shop_a(api_client, account_b, booked):
    """Charlie's shop's partner: a 404 for the booking and an empty list."""
    key = account_b[1]

    assert get(api_client, f"/api/booking/{booked.pk}", key).status_code == 404
    assert get(api_client, "/api/booking", key).json()["count"] == 0


def test_a_booking_made_without_the_key_is_not_the_partners(api_client, shop_a, account_a, booked):
    public = post_booking(api_client, contract_body(shop_a, scheduled_date=TUESDAY.isoformat()))

    response = get(api_client, f"/api/booking/{public.json()['booking_id']}", account_a[1])

    assert response.status_code == 404


def test_an_id_that_is_no_uuid_is_a_404(api_client, account_a, db):
    response = get(api_client, "/api/booking/not-a-booking-id-at-all-0000000000000", account_a[1])

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


# --- Listing -------------------------------------------------------------------------------


def book_more(api_client, shop, key, count, freeze_now):
    """`count` more bookings of the account, made a minute apart from 07:00 on."""
    for n in range(count):
        freeze_now(at_shop(shop, MONDAY, 7, n))
        body = contract_body(shop, scheduled_date=WEDNESDAY.isoformat(), work_order_number=f"L-{n}")
        assert post_booking(api_client, body, key=key).status_code == 201


def test_the_list_finds_a_work_order(api_client, shop_a, account_a, booked, freeze_now):
    book_more(api_client, shop_a, account_a[1], 2, freeze_now)

    data = get(api_client, "/api/booking", account_a[1], work_order_number="WO-1").json()

    assert data["count"] == 1
    assert data["results"] == [booking_for_partner(booked)]


def test_the_list_filters_by_status_and_change_time(
    api_client, shop_a, account_a, booked, freeze_now
):
    book_more(api_client, shop_a, account_a[1], 1, freeze_now)
    freeze_now(at_shop(shop_a, MONDAY, 8))
    post(api_client, f"/api/booking/{booked.pk}/cancel", account_a[1])
    key = account_a[1]

    cancelled = get(api_client, "/api/booking", key, status="cancelled").json()["results"]
    since = at_shop(shop_a, MONDAY, 6, 30).isoformat().replace("+", "%2B")
    changed = api_client.get(f"/api/booking?updated_since={since}", **bearer(key)).json()

    assert [row["booking_id"] for row in cancelled] == [str(booked.pk)]
    assert changed["count"] == 2
    assert [row["work_order_number"] for row in changed["results"]] == ["L-0", "WO-1"]


def test_the_list_is_paginated_oldest_change_first(
    api_client, shop_a, account_a, booked, freeze_now
):
    book_more(api_client, shop_a, account_a[1], 4, freeze_now)

    first = get(api_client, "/api/booking", account_a[1], page_size=2).json()
    third = get(api_client, "/api/booking", account_a[1], page_size=2, page=3).json()

    assert first["count"] == 5
    assert [row["work_order_number"] for row in first["results"]] == ["WO-1", "L-0"]
    assert "page=2" in first["next"]
    assert [row["work_order_number"] for row in third["results"]] == ["L-3"]
    assert third["next"] is None


@pytest.mark.parametrize(
    "query, field",
    [({"status": "lost"}, "status"), ({"updated_since": "yesterday"}, "updated_since")],
)
def test_a_bad_filter_is_a_400(api_client, account_a, booked, query, field):
    response = get(api_client, "/api/booking", account_a[1], **query)

    assert response.status_code == 400
    assert response.json()["field"] == field


# --- Rescheduling --------------------------------------------------------------------------


def test_a_partner_moves_its_booking_to_another_window(api_client, shop_a, account_a, booked):
    response = post(
        api_client,
        f"/api/booking/{booked.pk}/reschedule",
        account_a[1],
        {"scheduled_date": WEDNESDAY.isoformat(), "time_slot": "PM"},
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["scheduled_date"], data["scheduled_time"], data["time_slot"]) == (
        WEDNESDAY.isoformat(),
        "12:00:00",
        "pm",
    )
    assert (data["reassigned"], data["requested_time_slot"]) == (False, "pm")
    assert seats_taken(shop_a, TUESDAY, "08:00") == 0
    assert seats_taken(shop_a, WEDNESDAY, "12:00") == 1
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {Kind.RESCHEDULED, Kind.SHOP_RESCHEDULED} <= kinds


def test_a_full_time_moves_on_within_the_day_as_create_does(api_client, shop_a, account_a, booked):
    fill_starts(shop_a, WEDNESDAY, [10])

    data = post(
        api_client,
        f"/api/booking/{booked.pk}/reschedule",
        account_a[1],
        {"scheduled_date": WEDNESDAY.isoformat(), "time_slot": "10:00"},
    ).json()

    assert (data["scheduled_time"], data["reassigned"], data["requested_time_slot"]) == (
        "11:00:00",
        True,
        "10:00",
    )


def test_moving_to_a_full_day_says_the_next_open_one(api_client, shop_a, account_a, booked):
    fill_starts(shop_a, WEDNESDAY)

    response = post(
        api_client,
        f"/api/booking/{booked.pk}/reschedule",
        account_a[1],
        {"scheduled_date": WEDNESDAY.isoformat()},
    )

    assert response.status_code == 400
    assert response.json()["code"] == "no_availability"
    assert response.json()["next_available_date"] == THURSDAY.isoformat()
    booked.refresh_from_db()
    assert (booked.scheduled_date, seats_taken(shop_a, TUESDAY, "08:00")) == (TUESDAY, 1)


@pytest.mark.parametrize(
    "body, code, field",
    [
        ({}, "missing_field", "scheduled_date"),
        ({"scheduled_date": "2026-12-01"}, "invalid_field", "scheduled_date"),
        (
            {"scheduled_date": WEDNESDAY.isoformat(), "time_slot": "19:00"},
            "invalid_field",
            "time_slot",
        ),
    ],
)
def test_a_bad_move_is_a_400_and_moves_nothing(api_client, account_a, booked, body, code, field):
    response = post(api_client, f"/api/booking/{booked.pk}/reschedule", account_a[1], body)

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_a_cancelled_booking_cannot_be_moved(api_client, account_a, booked):
    post(api_client, f"/api/booking/{booked.pk}/cancel", account_a[1])

    response = post(
        api_client,
        f"/api/booking/{booked.pk}/reschedule",
        account_a[1],
        {"scheduled_date": WEDNESDAY.isoformat()},
    )

    assert (response.status_code, response.json()["code"]) == (409, "not_movable")


def test_a_move_retried_with_its_key_moves_once(api_client, shop_a, account_a, booked):
    path, body = f"/api/booking/{booked.pk}/reschedule", {"scheduled_date": WEDNESDAY.isoformat()}

    first = post(api_client, path, account_a[1], body, HTTP_IDEMPOTENCY_KEY="move-1")
    retry = post(api_client, path, account_a[1], body, HTTP_IDEMPOTENCY_KEY="move-1")

    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Notification.objects.filter(kind=Kind.RESCHEDULED).count() == 1


# --- Cancelling ----------------------------------------------------------------------------


def test_a_partner_cancels_its_booking_with_a_reason(api_client, shop_a, account_a, booked):
    response = post(
        api_client, f"/api/booking/{booked.pk}/cancel", account_a[1], {"reason": "Fixed it."}
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancel_reason"]) == (
        "cancelled",
        "Fixed it.",
    )
    assert seats_taken(shop_a, TUESDAY, "08:00") == 0
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {Kind.CANCELLED, Kind.SHOP_CANCELLED} <= kinds


def test_the_shop_is_told_the_reason(
    api_client, account_a, booked, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post(api_client, f"/api/booking/{booked.pk}/cancel", account_a[1], {"reason": "Fixed it."})
    run_worker()

    alert = next(m for m in mailoutbox if m.subject.startswith("Booking cancelled"))
    assert "Fixed it." in alert.body


def test_cancelling_twice_is_a_409(api_client, account_a, booked):
    post(api_client, f"/api/booking/{booked.pk}/cancel", account_a[1])

    again = post(api_client, f"/api/booking/{booked.pk}/cancel", account_a[1])

    assert (again.status_code, again.json()["code"]) == (409, "not_cancellable")


def test_a_cancel_retried_with_its_key_gets_the_first_answer(api_client, account_a, booked):
    path = f"/api/booking/{booked.pk}/cancel"

    first = post(api_client, path, account_a[1], HTTP_IDEMPOTENCY_KEY="cancel-1")
    retry = post(api_client, path, account_a[1], HTTP_IDEMPOTENCY_KEY="cancel-1")

    assert (first.status_code, retry.status_code) == (200, 200)
    assert retry["Idempotent-Replayed"] == "true"


def test_a_reason_over_500_characters_is_refused(api_client, account_a, booked):
    response = post(
        api_client, f"/api/booking/{booked.pk}/cancel", account_a[1], {"reason": "x" * 501}
    )

    assert (response.status_code, response.json()["field"]) == (400, "reason")
    booked.refresh_from_db()
    assert booked.status == "scheduled"


def test_these_requests_count_against_the_accounts_limit(api_client, account_a, booked):
    SchedulerAccount.objects.filter(pk=account_a[0].pk).update(requests_per_hour=2)
    # The booking itself was the first request of the hour.
    statuses = [
        get(api_client, f"/api/booking/{booked.pk}", account_a[1]).status_code for _ in range(2)
    ]

    assert statuses == [200, 429]


def test_the_dispatcher_sees_the_partners_reason_on_the_booking(
    api_client, client, bob, account_a, booked
):
    post(api_client, f"/api/booking/{booked.pk}/cancel", account_a[1], {"reason": "Fixed it."})
    client.force_login(bob)

    page = client.get(f"/admin/booking/booking/{booked.pk}/change/").content.decode()

    assert "reason for cancelling" in page.lower()
    assert "Fixed it." in page
