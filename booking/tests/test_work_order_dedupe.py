"""A partner re-sending a work order that is still booked gets that booking back, not a second
one; a return visit, or staff booking a second visit by phone, still books."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from booking.models import Booking, Notification
from booking.services import booking_cancel, booking_set_status, booking_update
from booking.tests.helpers import (
    book,
    contract_body,
    jane_visit,
    next_working_day,
    post_booking,
    seats_taken,
)
from schedulerAccounts.tests.helpers import portal_login

ADMIN_ADD = "/admin/booking/booking/add/"


def send(api_client, shop, **fields):
    return post_booking(
        api_client, contract_body(shop, **{"work_order_number": "WO-7781"} | fields)
    )


def test_a_resent_work_order_gets_the_open_booking_back(api_client, shop_a):
    first = send(api_client, shop_a)

    again = send(api_client, shop_a, time_slot="PM", name="Jane Q. Smith")

    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == {**first.json(), "duplicate": True}
    assert first.json()["duplicate"] is False
    booking = Booking.objects.get()
    assert booking.customer_name == "Jane Smith"
    assert seats_taken(shop_a, booking.scheduled_date, booking.scheduled_time) == 1
    assert Notification.objects.count() == 2


def test_a_duplicate_uses_no_booking_quota(api_client, shop_a, settings):
    settings.PUBLIC_BOOKINGS_PER_HOUR = 2
    send(api_client, shop_a)

    duplicates = [send(api_client, shop_a).status_code for _ in range(3)]
    another_order = send(api_client, shop_a, work_order_number="WO-7782")
    over = send(api_client, shop_a, work_order_number="WO-7783")

    assert duplicates == [200, 200, 200]
    assert (another_order.status_code, over.status_code) == (201, 429)


@pytest.mark.parametrize("ended", [booking_cancel, booking_set_status])
def test_an_order_whose_booking_ended_books_a_return_visit(api_client, shop_a, ended):
    first = Booking.objects.get(pk=send(api_client, shop_a).json()["booking_id"])
    if ended is booking_cancel:
        booking_cancel(booking=first)
    else:
        booking_set_status(booking=first, status=Booking.Status.COMPLETED)

    again = send(api_client, shop_a)

    assert again.status_code == 201
    assert Booking.objects.count() == 2


def test_the_same_order_number_from_another_source_or_shop_books(api_client, shop_a, shop_b):
    send(api_client, shop_a)

    other_source = send(api_client, shop_a, source="cinch")
    other_shop = send(api_client, shop_b)

    assert other_source.status_code == other_shop.status_code == 201


def test_a_partner_keys_tag_is_what_is_compared(api_client, shop_a, account_a):
    """The account's tag is stored whatever `source` the body says, so two sends of one order
    with different sources are still one order."""
    key = account_a[1]
    first = post_booking(api_client, contract_body(shop_a, work_order_number="A-1"), key=key)

    again = post_booking(
        api_client, contract_body(shop_a, work_order_number="A-1", source="other"), key=key
    )

    assert again.status_code == 200
    assert again.json()["booking_id"] == first.json()["booking_id"]


def test_requests_without_a_work_order_are_never_deduplicated(api_client, shop_a):
    post_booking(api_client, contract_body(shop_a))
    post_booking(api_client, contract_body(shop_a))

    assert Booking.objects.count() == 2


def admin_form(shop, **fields) -> dict:
    return {
        "shop": str(shop.pk),
        "customer_name": "Jane Smith",
        "phone": "+16615550111",
        "email": "",
        "address": "123 Main St, Lancaster CA 93534",
        "appliance_type": "Refrigerator",
        "issue": "Second visit: part arrived.",
        "scheduled_date": next_working_day(shop, days_ahead=5).isoformat(),
        "time_slot": "pm",
        "priority": "normal",
        "dispatcher_notes": "",
        "source": "ahs",
        "work_order_number": "WO-7781",
        "claim_number": "",
        "authorization_number": "",
        "partner_reference": "",
        "_save": "Save",
    } | fields


def test_staff_can_book_a_second_visit_for_an_open_order_by_phone(client, api_client, bob, shop_a):
    first = send(api_client, shop_a).json()
    client.force_login(bob)

    response = client.post(ADMIN_ADD, admin_form(shop_a))

    assert response.status_code == 302, response.context["adminform"].form.errors
    second = Booking.objects.exclude(pk=first["booking_id"]).get()
    assert second.repeat_visit is True
    # The partner re-sending the order still gets its first booking.
    assert send(api_client, shop_a).json()["booking_id"] == first["booking_id"]


def test_a_staff_booking_is_the_one_a_partner_gets_back(client, api_client, bob, shop_a):
    """The customer called the shop first; then the warranty platform sends the order."""
    client.force_login(bob)
    client.post(ADMIN_ADD, admin_form(shop_a))
    by_phone = Booking.objects.get()

    response = send(api_client, shop_a)

    assert response.status_code == 200
    assert response.json()["booking_id"] == str(by_phone.pk)


def test_staff_giving_a_booking_an_open_orders_number_makes_it_a_repeat_visit(shop_a):
    first = book(shop_a, work_order_number="WO-1")
    other = book(shop_a, time="14:00", work_order_number="WO-2")

    booking_update(booking=other, work_order_number="WO-1")

    other.refresh_from_db()
    assert (other.work_order_number, other.repeat_visit) == ("WO-1", True)
    assert first.repeat_visit is False


def test_the_portal_says_the_order_is_booked_already(client, account_a, shop_a):
    client.force_login(portal_login(account_a[0]))
    typed = {"phone": "(661) 555-0123", "appliance_type": "Washer", "time_slot": "pm"}
    form = jane_visit(shop_a, **typed, work_order_number="WO-5521")
    client.post("/scheduler/", form)

    again = client.post("/scheduler/", form)

    assert again.status_code == 200
    assert "Work order WO-5521 is already booked" in again.content.decode()
    assert Booking.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_migration_keeps_earlier_doubles_as_repeat_visits(shop_a):
    """Orders booked twice before the dedupe existed: the migration keeps both bookings and
    marks the later one, so the constraint can be created."""
    executor = MigrationExecutor(connection)
    before = [("booking", "0006_technicians_and_occupancy")]
    after = [("booking", "0007_partner_api_idempotency_and_work_order_dedupe")]
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    OldBooking = apps.get_model("booking", "Booking")
    day = next_working_day(shop_a, days_ahead=3)
    fields = {
        "shop_id": shop_a.pk,
        "customer_name": "Jane Smith",
        "phone": "+16615550199",
        "address": "123 Main St",
        "appliance_type": "Refrigerator",
        "scheduled_date": day,
        "window": "am",
        "source": "ahs",
        "work_order_number": "WO-9",
        "channel": "api",
    }
    earlier = OldBooking.objects.create(scheduled_time="08:00", **fields)
    later = OldBooking.objects.create(scheduled_time="09:00", **fields)

    try:
        MigrationExecutor(connection).migrate(after)
        marked = dict(Booking.objects.values_list("pk", "repeat_visit"))
    finally:
        # Whatever migrations come later, the next tests get the whole schema back.
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    assert marked == {earlier.pk: False, later.pk: True}


def test_the_booking_page_marks_a_repeat_visit_and_no_other(client, bob, shop_a):
    first = book(shop_a, work_order_number="WO-1")
    second = book(shop_a, time="14:00", work_order_number="WO-2")
    booking_update(booking=second, work_order_number="WO-1")
    client.force_login(bob)

    first_page = client.get(f"/admin/booking/booking/{first.pk}/change/").content.decode()
    second_page = client.get(f"/admin/booking/booking/{second.pk}/change/").content.decode()

    assert "Repeat visit</strong>: booked on purpose" in second_page
    assert "Repeat visit</strong>" not in first_page
    assert "icon-no.svg" not in first_page
