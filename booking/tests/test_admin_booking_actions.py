from __future__ import annotations

import pytest

from booking.models import Booking
from booking.tests.helpers import TUESDAY, book, seats_taken

URL = "/admin/booking/booking/"
pytestmark = pytest.mark.usefixtures("monday_morning")


def run_action(client, action: str, bookings):
    return client.post(
        URL,
        {"action": action, "_selected_action": [str(b.pk) for b in bookings], "index": 0},
        follow=True,
    )


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_owner_and_dispatcher_confirm_bookings(client, request, shop_a, user):
    first, second = book(shop_a, TUESDAY, "AM"), book(shop_a, TUESDAY, "PM")
    client.force_login(request.getfixturevalue(user))

    response = run_action(client, "confirm", [first, second])

    assert "Confirmed 2 bookings." in response.content.decode()
    assert set(Booking.objects.values_list("status", flat=True)) == {"confirmed"}


def test_cancelling_gives_the_seat_back(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    assert seats_taken(shop_a, TUESDAY, "09:00") == 1
    client.force_login(bob)

    response = run_action(client, "cancel", [booking])

    assert "Cancelled 1 booking." in response.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert seats_taken(shop_a, TUESDAY, "09:00") == 0


def test_mark_completed_and_a_refusal_is_reported_by_name(client, alice, shop_a):
    done = book(shop_a, TUESDAY, "AM", name="Finished Job")
    client.force_login(alice)
    run_action(client, "mark_completed", [done])

    response = run_action(client, "cancel", [done])

    done.refresh_from_db()
    assert done.status == Booking.Status.COMPLETED
    html = response.content.decode()
    assert "Not changed: Finished Job" in html and "already cancelled or completed" in html


def test_confirming_a_confirmed_booking_says_it_already_is(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "AM", name="Early Bird")
    client.force_login(bob)
    run_action(client, "confirm", [booking])

    response = run_action(client, "confirm", [booking])

    html = response.content.decode()
    assert "Not changed: Early Bird (2026-12-08): It is already confirmed." in html
    assert "cannot become confirmed" not in html


def test_a_crafted_post_cannot_touch_another_shops_bookings(client, charlie, shop_a, shop_b):
    alices = book(shop_a, TUESDAY, "09:00")
    client.force_login(charlie)

    run_action(client, "cancel", [alices])

    alices.refresh_from_db()
    assert alices.status == Booking.Status.SCHEDULED
    assert seats_taken(shop_a, TUESDAY, "09:00") == 1


def test_the_selection_exports_as_csv(client, bob, shop_a):
    chosen = book(shop_a, TUESDAY, "AM", name="Chosen One", work_order_number="WO-1")
    book(shop_a, TUESDAY, "PM", name="Left Out")
    client.force_login(bob)

    response = client.post(
        URL, {"action": "export_selected", "_selected_action": [str(chosen.pk)], "index": 0}
    )

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    assert "Chosen One" in body and "WO-1" in body and "Left Out" not in body
