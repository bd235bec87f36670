"""A partner's test key: the live rules and answers, but no seat, no e-mail, no calendar.

Tuesday's 08:00 start is full in some tests, so a request for 08:00 lands at another time
("reassigned"): the test key must say exactly that, and leave every counter as it was.
"""

from __future__ import annotations

import datetime as dt

import pytest

from booking.ledger import run_checks
from booking.models import Booking, Notification, Occupancy, SeatCounter
from booking.tests.helpers import (
    TUESDAY,
    WEDNESDAY,
    bearer,
    contract_body,
    fill_starts,
    post_booking,
    seats_taken,
)
from schedulerAccounts.tests.helpers import issue_test_key, portal_login
from technicians.tests.helpers import hire

pytestmark = pytest.mark.usefixtures("monday_morning")


@pytest.fixture
def test_key(account_a):
    return issue_test_key(account_a[0])


@pytest.fixture
def live_key(account_a):
    return account_a[1]


@pytest.fixture
def eight_full(shop_a):
    """Tuesday 08:00 holds its two seats already."""
    fill_starts(shop_a, TUESDAY, hours=[8])


def tuesday_am(shop, **fields) -> dict:
    return contract_body(
        shop, **{"scheduled_date": TUESDAY.isoformat(), "time_slot": "AM"} | fields
    )


def answer_without_id(response) -> dict:
    body = response.json()
    body.pop("booking_id", None)
    return body


def counters(shop) -> dict:
    return dict(
        ((day, start), booked)
        for day, start, booked in SeatCounter.objects.filter(shop=shop).values_list(
            "date", "start_time", "booked"
        )
    )


def test_a_test_booking_answers_as_live_would_but_takes_no_seat(
    api_client, shop_a, test_key, live_key, eight_full
):
    before = counters(shop_a)

    rehearsal = post_booking(api_client, tuesday_am(shop_a, time_slot="08:00"), key=test_key)

    assert rehearsal.status_code == 201
    assert rehearsal.json()["scheduled_time"] == "09:00:00"
    assert rehearsal.json()["reassigned"] is True
    assert counters(shop_a) == before
    booking = Booking.objects.get(pk=rehearsal.json()["booking_id"])
    assert booking.is_test and booking.source == "acme"

    live = post_booking(
        api_client, tuesday_am(shop_a, name="Real Customer", time_slot="08:00"), key=live_key
    )

    assert live.status_code == 201
    assert answer_without_id(live) == answer_without_id(rehearsal)
    assert seats_taken(shop_a, TUESDAY, "09:00") == 1


def test_a_full_day_and_a_bad_field_are_refused_as_live_refuses_them(
    api_client, shop_a, test_key, live_key
):
    fill_starts(shop_a, TUESDAY)
    full = [post_booking(api_client, tuesday_am(shop_a), key=key) for key in (test_key, live_key)]
    no_phone = [
        post_booking(api_client, tuesday_am(shop_a, phone=""), key=key)
        for key in (test_key, live_key)
    ]

    assert [r.status_code for r in full] == [400, 400]
    assert full[0].json() == full[1].json()
    assert full[0].json()["code"] == "no_availability"
    assert [r.status_code for r in no_phone] == [400, 400]
    assert no_phone[0].json() == no_phone[1].json()
    assert not Booking.objects.exists()


def test_with_technicians_it_names_who_would_come_but_books_nobody_s_time(
    api_client, shop_a, test_key
):
    hire(shop_a, "Mike Ross")

    response = post_booking(api_client, tuesday_am(shop_a), key=test_key)

    assert response.status_code == 201
    assert response.json()["technician"] == "Mike"
    assert not Occupancy.objects.exists()
    assert seats_taken(shop_a, TUESDAY, "08:00") == 0
    # Mike is still free at 08:00: a live booking gets him there.
    live = post_booking(api_client, tuesday_am(shop_a, name="Real Customer"), key=None)
    assert live.json()["scheduled_time"] == "08:00:00"
    assert Occupancy.objects.filter(booking_id=live.json()["booking_id"]).exists()


def test_a_test_booking_sends_no_e_mail_when_booked_moved_or_cancelled(
    api_client, shop_a, test_key, live_key
):
    booking_id = post_booking(api_client, tuesday_am(shop_a), key=test_key).json()["booking_id"]
    moved = api_client.post(
        f"/api/booking/{booking_id}/reschedule",
        {"scheduled_date": WEDNESDAY.isoformat(), "time_slot": "PM"},
        format="json",
        **bearer(test_key),
    )
    cancelled = api_client.post(
        f"/api/booking/{booking_id}/cancel", {}, format="json", **bearer(test_key)
    )

    assert moved.status_code == 200 and cancelled.status_code == 200
    assert not Notification.objects.exists()
    # The same with the live key tells the customer and the shop.
    post_booking(api_client, tuesday_am(shop_a, name="Real Customer"), key=live_key)
    assert Notification.objects.count() == 2


def test_only_the_test_key_reads_moves_and_cancels_a_test_booking(
    api_client, shop_a, test_key, live_key
):
    test_id = post_booking(api_client, tuesday_am(shop_a), key=test_key).json()["booking_id"]
    live_id = post_booking(api_client, tuesday_am(shop_a, name="Real"), key=live_key).json()[
        "booking_id"
    ]

    def status(method, path, key, body=None):
        call = getattr(api_client, method)
        return call(path, body or {}, format="json", **bearer(key)).status_code

    assert status("get", f"/api/booking/{test_id}", test_key) == 200
    assert status("get", f"/api/booking/{test_id}", live_key) == 404
    assert status("get", f"/api/booking/{live_id}", test_key) == 404
    assert status("post", f"/api/booking/{test_id}/cancel", live_key) == 404
    assert status("post", f"/api/booking/{live_id}/cancel", test_key) == 404
    move = {"scheduled_date": WEDNESDAY.isoformat(), "time_slot": "PM"}
    assert status("post", f"/api/booking/{live_id}/reschedule", test_key, move) == 404
    listed = api_client.get("/api/booking", **bearer(test_key)).json()["results"]
    assert [row["booking_id"] for row in listed] == [test_id]
    assert Booking.objects.get(pk=live_id).status == "scheduled"


def test_moving_and_cancelling_a_test_booking_leave_the_counters_alone(
    api_client, shop_a, test_key, eight_full
):
    before = counters(shop_a)
    booking_id = post_booking(api_client, tuesday_am(shop_a), key=test_key).json()["booking_id"]
    fill_starts(shop_a, WEDNESDAY, hours=[12])
    before = counters(shop_a)

    moved = api_client.post(
        f"/api/booking/{booking_id}/reschedule",
        {"scheduled_date": WEDNESDAY.isoformat(), "time_slot": "PM"},
        format="json",
        **bearer(test_key),
    )

    # 12:00 is full, so it lands at 13:00, as a live move would.
    assert moved.status_code == 200
    assert moved.json()["scheduled_time"] == "13:00:00"
    assert counters(shop_a) == before
    cancelled = api_client.post(
        f"/api/booking/{booking_id}/cancel", {}, format="json", **bearer(test_key)
    )
    assert cancelled.json()["status"] == "cancelled"
    assert counters(shop_a) == before
    again = api_client.post(
        f"/api/booking/{booking_id}/cancel", {}, format="json", **bearer(test_key)
    )
    assert again.status_code == 409


def test_the_work_order_dedupe_applies_among_test_bookings_only(
    api_client, shop_a, test_key, live_key
):
    body = tuesday_am(shop_a, work_order_number="WO-77")

    first = post_booking(api_client, body, key=test_key)
    again = post_booking(api_client, body, key=test_key)
    live = post_booking(api_client, body, key=live_key)
    live_again = post_booking(api_client, body, key=live_key)

    assert first.status_code == 201
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert again.json()["booking_id"] == first.json()["booking_id"]
    assert live.status_code == 201 and live.json()["booking_id"] != first.json()["booking_id"]
    assert live_again.json()["booking_id"] == live.json()["booking_id"]
    assert Booking.objects.filter(is_test=True).count() == 1
    assert Booking.objects.filter(is_test=False).count() == 1


def test_an_idempotency_key_replays_within_the_test_key_only(
    api_client, shop_a, test_key, live_key
):
    body = tuesday_am(shop_a)

    first = post_booking(api_client, body, key=test_key, HTTP_IDEMPOTENCY_KEY="k-1")
    replay = post_booking(api_client, body, key=test_key, HTTP_IDEMPOTENCY_KEY="k-1")
    live = post_booking(api_client, body, key=live_key, HTTP_IDEMPOTENCY_KEY="k-1")

    assert replay.json() == first.json()
    assert live.status_code == 201
    assert live.json()["booking_id"] != first.json()["booking_id"]
    assert Booking.objects.get(pk=live.json()["booking_id"]).is_test is False
    assert Booking.objects.count() == 2


def test_check_ledger_adds_up_with_test_bookings_about(api_client, shop_a, test_key, live_key):
    hire(shop_a, "Mike Ross")
    for key in (test_key, live_key, test_key):
        post_booking(api_client, tuesday_am(shop_a), key=key)
    test_ids = Booking.objects.filter(is_test=True).values_list("pk", flat=True)
    api_client.post(f"/api/booking/{test_ids[0]}/cancel", {}, format="json", **bearer(test_key))

    assert run_checks() == []


def test_a_revoked_test_key_is_refused_and_the_live_key_still_works(
    api_client, shop_a, account_a, test_key, live_key
):
    from schedulerAccounts.services import scheduler_account_revoke_key

    scheduler_account_revoke_key(account=account_a[0], test=True)

    refused = post_booking(api_client, tuesday_am(shop_a), key=test_key)

    assert refused.status_code == 401
    assert "test key has been revoked" in refused.json()["error"]
    assert post_booking(api_client, tuesday_am(shop_a), key=live_key).status_code == 201


# --- Invisible to the shop -----------------------------------------------------------------


@pytest.fixture
def rehearsed(api_client, shop_a, test_key):
    response = post_booking(api_client, tuesday_am(shop_a, name="Tess Rehearsal"), key=test_key)
    return Booking.objects.get(pk=response.json()["booking_id"])


@pytest.mark.parametrize(
    "path",
    [
        "/admin/booking/booking/?when=all",
        "/admin/booking/booking/calendar/?view=week&date=2026-12-07",
        "/admin/booking/booking/calendar/feed/?start=2026-12-07&end=2026-12-13",
        "/admin/booking/booking/export/?when=all",
        "/admin/",
    ],
)
def test_a_test_booking_is_on_no_calendar_list_feed_or_export(client, alice, rehearsed, path):
    client.force_login(alice)

    response = client.get(path)

    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"Tess Rehearsal" not in content


def test_its_booking_page_in_the_admin_is_a_404(client, alice, rehearsed):
    client.force_login(alice)

    assert client.get(f"/admin/booking/booking/{rehearsed.pk}/change/").status_code == 404


def test_the_owner_sees_it_in_the_list_of_test_bookings(client, alice, rehearsed):
    client.force_login(alice)

    response = client.get("/admin/booking/partnertestbooking/")
    page = client.get(f"/admin/booking/partnertestbooking/{rehearsed.pk}/change/")

    assert b"Tess Rehearsal" in response.content
    assert page.status_code == 200 and b"Tess Rehearsal" in page.content
    assert b'name="_save"' not in page.content


def test_charlie_sees_none_of_shop_a_s_test_bookings(client, charlie, rehearsed):
    client.force_login(charlie)

    response = client.get("/admin/booking/partnertestbooking/")
    page = client.get(f"/admin/booking/partnertestbooking/{rehearsed.pk}/change/")

    assert b"Tess Rehearsal" not in response.content
    assert b"Acme Warranty" not in response.content  # not even in the account filter
    assert page.status_code == 404


def test_the_portal_lists_only_live_bookings(client, account_a, rehearsed, live_key, api_client):
    post_booking(api_client, tuesday_am(rehearsed.shop, name="Real Customer"), key=live_key)
    client.force_login(portal_login(account_a[0]))

    content = client.get("/scheduler/bookings").content

    assert b"Real Customer" in content
    assert b"Tess Rehearsal" not in content


def test_the_tuesday_seat_is_still_free_for_the_booking_page(client, shop_a, rehearsed):
    assert rehearsed.scheduled_time == dt.time(8)
    assert seats_taken(shop_a, TUESDAY, "08:00") == 0


def test_the_portal_cannot_move_or_cancel_a_test_booking(client, account_a, rehearsed):
    client.force_login(portal_login(account_a[0]))

    cancel = client.post(f"/scheduler/bookings/{rehearsed.pk}/cancel")
    move = client.get(f"/scheduler/bookings/{rehearsed.pk}/reschedule")

    assert cancel.status_code == 404 and move.status_code == 404
    rehearsed.refresh_from_db()
    assert rehearsed.status == "scheduled"
