"""Every door's change reaches the endpoints that should hear of it, once, signed.

The partner's endpoint (account A's) and the shop's own (shop-wide) each run a real HTTP
receiver; the worker delivers after the request's transaction commits.
"""

from __future__ import annotations

import pytest

from booking.models import Booking
from booking.self_service import self_service_token
from booking.tests.helpers import (
    TUESDAY,
    WEDNESDAY,
    bearer,
    book,
    change_data,
    contract_body,
    form_data,
    jane_visit,
    run_worker,
)
from schedulerAccounts.tests.helpers import portal_login
from webhooks.tests.helpers import endpoint

pytestmark = pytest.mark.usefixtures("monday_morning")


@pytest.fixture
def hooks(shop_a, account_a, webhook_receiver):
    """Account A's endpoint at /partner and the shop's own at /shop, on one receiver:
    a function giving [(path, type, sequence)] of what arrived, each verified."""
    secrets = {
        "/partner": endpoint(shop_a, webhook_receiver.url + "/partner", account=account_a[0])[1],
        "/shop": endpoint(shop_a, webhook_receiver.url + "/shop")[1],
    }

    def arrived():
        run_worker()
        events = [(r.path, r.verified(secrets[r.path])) for r in webhook_receiver.requests]
        webhook_receiver.requests.clear()
        return sorted((path, e["type"], e["sequence"]) for path, e in events)

    return arrived


def both(event_type: str, sequence: int) -> list:
    return [("/partner", event_type, sequence), ("/shop", event_type, sequence)]


def test_the_partner_api_s_create_move_and_cancel_each_arrive_once(
    api_client, shop_a, account_a, hooks, django_capture_on_commit_callbacks
):
    key = bearer(account_a[1])
    with django_capture_on_commit_callbacks(execute=True):
        created = api_client.post("/api/booking/book", contract_body(shop_a), **key, format="json")
    assert hooks() == both("booking.created", 1)
    path = f"/api/booking/{created.json()['booking_id']}"
    move = {"scheduled_date": WEDNESDAY.isoformat(), "time_slot": "PM"}
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(f"{path}/reschedule", move, **key, format="json").status_code == 200
    assert hooks() == both("booking.rescheduled", 2)
    with django_capture_on_commit_callbacks(execute=True):
        assert api_client.post(f"{path}/cancel", {}, **key, format="json").status_code == 200
    assert hooks() == both("booking.cancelled", 3)


def test_the_portal_s_book_move_and_cancel_each_arrive_once(
    client, shop_a, account_a, hooks, django_capture_on_commit_callbacks
):
    client.force_login(portal_login(account_a[0]))
    form = jane_visit(shop_a, phone="(661) 555-0123", appliance_type="Washer", time_slot="pm")
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/scheduler/", form).status_code == 302
    assert hooks() == both("booking.created", 1)
    booking = Booking.objects.get()
    move = {"scheduled_date": WEDNESDAY.isoformat(), "time_slot": "am"}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/scheduler/bookings/{booking.pk}/reschedule", move)
    assert hooks() == both("booking.rescheduled", 2)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/scheduler/bookings/{booking.pk}/cancel")
    assert hooks() == both("booking.cancelled", 3)


def test_a_booking_page_booking_reaches_the_shop_but_not_the_partner(
    client, shop_a, hooks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/book/{shop_a.slug}", form_data(shop_a)).status_code == 302

    assert hooks() == [("/shop", "booking.created", 1)]


def test_the_customer_s_self_service_move_and_cancel_arrive_once(
    client, shop_a, account_a, hooks, django_capture_on_commit_callbacks
):
    booking = book(shop_a, TUESDAY, "09:00")
    Booking.objects.filter(pk=booking.pk).update(account=account_a[0])
    hooks()  # created before it was the account's: the shop heard of it
    link = f"/b/{self_service_token(booking)}/"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link + "reschedule", {"move": f"{WEDNESDAY.isoformat()}:pm"})
    assert hooks() == both("booking.rescheduled", 2)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(link + "cancel")
    assert hooks() == both("booking.cancelled", 3)


def test_the_admin_s_confirm_edit_move_and_complete_each_arrive_once(
    client, alice, shop_a, account_a, hooks, django_capture_on_commit_callbacks
):
    booking = book(shop_a, TUESDAY, "09:00")
    Booking.objects.filter(pk=booking.pk).update(account=account_a[0])
    booking.refresh_from_db()
    hooks()
    client.force_login(alice)
    page = f"/admin/booking/booking/{booking.pk}/change/"
    steps = [
        ({"status": "confirmed"}, "booking.confirmed"),
        ({"status": "confirmed", "customer_name": "Jane Smith-Jones"}, "booking.updated"),
        ({"status": "confirmed", "scheduled_date": WEDNESDAY.isoformat()}, "booking.rescheduled"),
        ({"status": "completed"}, "booking.completed"),
    ]
    for sequence, (changes, event_type) in enumerate(steps, start=2):
        booking.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(page, change_data(booking, **changes))
        assert response.status_code == 302, response.content.decode()[:2000]
        assert hooks() == both(event_type, sequence)


def test_a_dispatcher_s_private_note_sends_nothing(
    client, bob, shop_a, hooks, django_capture_on_commit_callbacks
):
    booking = book(shop_a, TUESDAY, "09:00")
    hooks()
    client.force_login(bob)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/admin/booking/booking/{booking.pk}/change/",
            change_data(booking, dispatcher_notes="Gate code 42"),
        )
    assert Booking.objects.get().dispatcher_notes == "Gate code 42"
    assert hooks() == []
