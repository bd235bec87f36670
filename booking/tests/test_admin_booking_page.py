from __future__ import annotations

import datetime as dt

import pytest

from booking.models import Booking
from booking.tests.helpers import TUESDAY, WEDNESDAY, book, change_data, seats_taken

URL = "/admin/booking/booking/"
pytestmark = pytest.mark.usefixtures("monday_morning")


def change_url(booking) -> str:
    return f"{URL}{booking.pk}/change/"


def form_errors(response) -> str:
    assert response.status_code == 200, "expected the form back with errors"
    form = response.context["adminform"].form
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


# --- the booking page ------------------------------------------------------------------------


def test_the_page_groups_customer_job_partner_references_and_history(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "AM", work_order_number="WO-7781")
    client.force_login(bob)

    html = client.get(change_url(booking)).content.decode()

    for heading in ["Customer", "Job", "Partner references", "History"]:
        assert f">{heading}</h2>" in html
    assert "WO-7781" in html and "Partner API" in html
    # Only the owner may overbook, so the dispatcher is not offered the box.
    assert 'name="overbook"' not in html
    assert 'name="channel"' not in html


def test_the_phone_is_a_tap_to_call_link_and_the_address_a_map_link(client, bob, shop_a):
    booking = book(
        shop_a, TUESDAY, "AM", phone="+15551234567", address="10250 Sierra Hwy, Lancaster CA"
    )
    client.force_login(bob)

    html = client.get(change_url(booking)).content.decode()

    # The contract's own number is in no assigned area code, and still gets its link.
    assert '<a class="call-link" href="tel:+15551234567">Call (555) 123-4567</a>' in html
    assert (
        'href="https://www.google.com/maps/search/?api=1&amp;query=10250+Sierra+Hwy%2C+'
        'Lancaster+CA"' in html
    )


def test_only_an_overbooked_booking_carries_the_overbooked_mark(client, alice, shop_a):
    plain = book(shop_a, TUESDAY, "10:00", name="Plain One")
    book(shop_a, TUESDAY, "10:00")
    over = book(shop_a, TUESDAY, "10:00", name="Over One", allow_overbook=True)
    client.force_login(alice)

    plain_page = client.get(change_url(plain)).content.decode()
    over_page = client.get(change_url(over)).content.decode()

    assert over.overbooked and not plain.overbooked
    assert "Overbooked</strong>: booked into a start time that was already full" in over_page
    assert "Overbooked</strong>" not in plain_page
    # Django's red "no" icon for a false yes/no field is what read as a warning on every page.
    assert "icon-no.svg" not in plain_page


def test_editing_details_saves_them_and_keeps_the_seat(client, alice, shop_a):
    booking = book(shop_a, TUESDAY, "09:00", name="Jane Smith")
    client.force_login(alice)

    response = client.post(
        change_url(booking),
        change_data(booking, customer_name="Jane Smith-Jones", dispatcher_notes="Gate code 42"),
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.customer_name == "Jane Smith-Jones"
    assert booking.dispatcher_notes == "Gate code 42"
    assert seats_taken(shop_a, TUESDAY, "09:00") == 1


def test_a_new_date_and_time_moves_the_seat_through_the_booking_service(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(bob)

    response = client.post(
        change_url(booking),
        change_data(booking, scheduled_date=WEDNESDAY.isoformat(), scheduled_time="14:00:00"),
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.scheduled_date, booking.scheduled_time) == (WEDNESDAY, dt.time(14))
    assert booking.window == "pm"
    assert seats_taken(shop_a, TUESDAY, "09:00") == 0
    assert seats_taken(shop_a, WEDNESDAY, "14:00") == 1


def test_a_full_start_time_is_refused_on_the_form_and_nothing_is_saved(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "09:00", name="Jane Smith")
    book(shop_a, TUESDAY, "10:00")
    book(shop_a, TUESDAY, "10:00")
    client.force_login(bob)

    response = client.post(
        change_url(booking),
        change_data(booking, scheduled_time="10:00:00", customer_name="Changed Name"),
    )

    assert "10:00 on 2026-12-08 is full: every seat is taken." in form_errors(response)
    booking.refresh_from_db()
    assert booking.scheduled_time == dt.time(9)
    assert booking.customer_name == "Jane Smith"
    assert (seats_taken(shop_a, TUESDAY, "09:00"), seats_taken(shop_a, TUESDAY, "10:00")) == (1, 2)


def test_a_dispatcher_who_forces_overbook_is_refused(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    book(shop_a, TUESDAY, "10:00")
    book(shop_a, TUESDAY, "10:00")
    client.force_login(bob)

    response = client.post(
        change_url(booking), change_data(booking, scheduled_time="10:00:00", overbook="on")
    )

    assert "Only the shop's owner can overbook." in form_errors(response)
    booking.refresh_from_db()
    assert booking.scheduled_time == dt.time(9)
    assert seats_taken(shop_a, TUESDAY, "10:00") == 2


def test_the_owner_may_knowingly_overbook_from_the_form(client, alice, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    book(shop_a, TUESDAY, "10:00")
    book(shop_a, TUESDAY, "10:00")
    client.force_login(alice)

    refused = client.post(change_url(booking), change_data(booking, scheduled_time="10:00:00"))
    assert "tick Overbook to book it anyway." in form_errors(refused)

    response = client.post(
        change_url(booking), change_data(booking, scheduled_time="10:00:00", overbook="on")
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.scheduled_time == dt.time(10) and booking.overbooked
    assert seats_taken(shop_a, TUESDAY, "10:00") == 3


def test_a_past_date_is_refused_with_the_services_reason(client, alice, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(alice)

    response = client.post(change_url(booking), change_data(booking, scheduled_date="2026-12-01"))

    assert "Tue Dec 1 has gone by (today is Mon Dec 7 at the shop)" in form_errors(response)


def test_cancelling_from_the_page_frees_the_seat(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(bob)

    client.post(change_url(booking), change_data(booking, status="cancelled"))

    booking.refresh_from_db()
    assert booking.status == "cancelled"
    assert seats_taken(shop_a, TUESDAY, "09:00") == 0
    # A cancelled booking's time and status are history now.
    html = client.get(change_url(booking)).content.decode()
    assert 'name="scheduled_date"' not in html and 'name="status"' not in html


def test_charlie_gets_not_found_for_alices_booking(client, charlie, shop_a):
    booking = book(shop_a, TUESDAY, "09:00", name="Jane Smith")
    client.force_login(charlie)

    assert client.get(change_url(booking)).status_code == 404
    response = client.post(change_url(booking), change_data(booking, customer_name="Hacked"))

    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.customer_name == "Jane Smith"
    assert client.get(f"{URL}{booking.pk}/history/").status_code == 404


def test_a_superuser_opens_any_booking(client, admin_user, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(admin_user)

    assert client.get(change_url(booking)).status_code == 200


# --- a new booking from the admin ------------------------------------------------------------


def add_data(shop, **overrides) -> dict:
    data = {
        "shop": str(shop.pk),
        "customer_name": "Phone Caller",
        "phone": "+16615550111",
        "email": "",
        "address": "9 Elm St, Lancaster CA 93534",
        "appliance_type": "Refrigerator",
        "issue": "Leaking.",
        "scheduled_date": TUESDAY.isoformat(),
        "time_slot": "pm",
        "priority": "normal",
        "dispatcher_notes": "",
        "source": "phone",
        "work_order_number": "",
        "claim_number": "",
        "authorization_number": "",
        "partner_reference": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def test_the_phone_booking_form_starts_on_the_dispatchers_shop(client, bob, shop_a):
    client.force_login(bob)

    form = client.get(f"{URL}add/").context["adminform"].form

    assert form.initial["shop"] == shop_a.pk


def test_a_booking_taken_by_phone_goes_through_the_booking_service(client, bob, shop_a):
    client.force_login(bob)

    response = client.post(f"{URL}add/", add_data(shop_a), REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 302
    booking = Booking.objects.get()
    assert booking.channel == Booking.Channel.ADMIN
    assert booking.scheduled_time == dt.time(12)
    assert booking.appliance_type == "Refrigerator"
    assert booking.client_ip == "203.0.113.9"
    assert seats_taken(shop_a, TUESDAY, "12:00") == 1


def test_a_new_booking_the_rules_refuse_is_not_written(client, alice, shop_a):
    client.force_login(alice)

    response = client.post(f"{URL}add/", add_data(shop_a, scheduled_date="2026-12-12"))

    assert "Sat Dec 12 is not a working day at the shop" in form_errors(response)
    assert not Booking.objects.exists()


def test_staff_still_book_by_phone_when_online_booking_is_off(client, alice, shop_a):
    shop_a.booking_settings.booking_enabled = False
    shop_a.booking_settings.save()
    client.force_login(alice)

    response = client.post(f"{URL}add/", add_data(shop_a))

    assert response.status_code == 302
    assert Booking.objects.get().channel == Booking.Channel.ADMIN


def test_a_crafted_post_cannot_create_a_booking_in_another_shop(client, alice, shop_a, shop_b):
    client.force_login(alice)

    response = client.post(f"{URL}add/", add_data(shop_b))

    assert "Select a valid choice" in form_errors(response)
    assert not Booking.objects.exists()


def test_a_dispatcher_cannot_overbook_a_new_booking(client, bob, shop_a):
    book(shop_a, TUESDAY, "10:00")
    book(shop_a, TUESDAY, "10:00")
    client.force_login(bob)

    refused = client.post(f"{URL}add/", add_data(shop_a, time_slot="10:00", overbook="on"))
    assert "Only the shop's owner can overbook." in form_errors(refused)
    assert not Booking.objects.filter(customer_name="Phone Caller").exists()

    client.post(f"{URL}add/", add_data(shop_a, time_slot="10:00"))

    # Without it the full 10:00 moves on to 11:00, as at every door.
    booking = Booking.objects.get(customer_name="Phone Caller")
    assert booking.scheduled_time == dt.time(11) and not booking.overbooked


def test_the_owner_may_overbook_a_new_booking_at_an_exact_time(client, alice, shop_a):
    book(shop_a, TUESDAY, "10:00")
    book(shop_a, TUESDAY, "10:00")
    client.force_login(alice)

    client.post(f"{URL}add/", add_data(shop_a, time_slot="10:00", overbook="on"))

    booking = Booking.objects.get(customer_name="Phone Caller")
    assert booking.scheduled_time == dt.time(10) and booking.overbooked
    assert seats_taken(shop_a, TUESDAY, "10:00") == 3


def test_a_confirmed_booking_cannot_go_back_to_scheduled(client, alice, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(alice)
    client.post(change_url(booking), change_data(booking, status="confirmed"))
    booking.refresh_from_db()
    assert booking.status == "confirmed"

    response = client.post(
        change_url(booking),
        change_data(booking, scheduled_time="14:00:00", status="scheduled"),
    )

    assert "Select a valid choice" in form_errors(response)
    booking.refresh_from_db()
    assert (booking.scheduled_time, booking.status) == (dt.time(9), "confirmed")
    assert (seats_taken(shop_a, TUESDAY, "09:00"), seats_taken(shop_a, TUESDAY, "14:00")) == (1, 0)


def test_a_crafted_post_cannot_move_a_booking_to_another_shop(client, alice, shop_a, shop_b):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(alice)

    client.post(change_url(booking), change_data(booking, shop=str(shop_b.pk), issue="Moved?"))

    booking.refresh_from_db()
    assert booking.shop == shop_a
    assert booking.issue == "Moved?"


def test_a_phone_booking_on_a_blackout_date_says_the_shop_is_closed(client, bob, shop_a):
    shop_a.booking_settings.blackout_dates.create(date=TUESDAY, reason="Inventory")
    client.force_login(bob)

    response = client.post(f"{URL}add/", add_data(shop_a))

    assert "Tue Dec 8 is a blackout date: the shop is closed" in form_errors(response)


def test_a_phone_booking_beyond_the_horizon_names_the_last_day(client, bob, shop_a):
    shop_a.booking_settings.horizon_days = 10
    shop_a.booking_settings.save()
    client.force_login(bob)

    response = client.post(f"{URL}add/", add_data(shop_a, scheduled_date="2027-01-05"))

    assert (
        "Tue Jan 5, 2027 is too far ahead: the shop takes bookings up to Thu Dec 17"
        in form_errors(response)
    )


def test_a_phone_booking_on_a_full_day_says_no_start_time_is_left(client, bob, shop_a):
    for _ in range(18):
        book(shop_a, TUESDAY)
    client.force_login(bob)

    response = client.post(f"{URL}add/", add_data(shop_a))

    assert "No start time with room is left on Tue Dec 8" in form_errors(response)


def test_a_start_time_the_shop_does_not_have_is_refused_on_the_form(client, bob, shop_a):
    client.force_login(bob)

    response = client.post(f"{URL}add/", add_data(shop_a, time_slot="19:00"))

    assert "Pick one of the shop's start times." in form_errors(response)
    assert not Booking.objects.exists()
