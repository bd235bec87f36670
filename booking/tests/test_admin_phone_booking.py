"""The admin's "Add booking" page for a job taken by phone: the shop's appliance types, the
day's start times with their seats left, and the caller's earlier bookings."""

from __future__ import annotations

import pytest

from booking.tests.helpers import MONDAY, TUESDAY, book

ADD = "/admin/booking/booking/add/"
TIMES = "/admin/booking/booking/add/times/"
EARLIER = "/admin/booking/booking/add/earlier/"
pytestmark = pytest.mark.usefixtures("monday_morning")


def test_the_appliance_is_a_choice_of_the_shops_types_with_none_picked(client, bob, shop_a):
    shop_a.booking_settings.appliance_types = ["Washer", "Dryer", "Other"]
    shop_a.booking_settings.save()
    client.force_login(bob)

    form = client.get(ADD).context["adminform"].form

    assert list(form.fields["appliance_type"].choices) == [
        ("", "Choose the appliance"),
        ("Washer", "Washer"),
        ("Dryer", "Dryer"),
        ("Other", "Other"),
    ]


def test_the_start_times_show_the_seats_left_on_the_date(client, bob, shop_a):
    book(shop_a, TUESDAY, "09:00")
    book(shop_a, TUESDAY, "10:00")
    book(shop_a, TUESDAY, "10:00")
    client.force_login(bob)

    # A form opened on a date (or sent back with an error) needs no script for this.
    form = client.get(ADD, {"scheduled_date": TUESDAY.isoformat()}).context["adminform"].form

    choices = dict(form.fields["time_slot"].choices)
    assert choices["08:00"] == "8:00 AM · 2 of 2 seats left"
    assert choices["09:00"] == "9:00 AM · 1 of 2 seats left"
    assert choices["10:00"] == "10:00 AM · full"
    assert choices["am"] == "Morning (8 AM-12 PM) · 5 seats left"
    assert form.fields["time_slot"].help_text.startswith("Tue Dec 8: 15 seats left that day.")


def test_the_script_gets_the_days_times_and_why_a_day_is_closed(client, bob, shop_a):
    book(shop_a, TUESDAY, "10:00")
    shop_a.booking_settings.min_notice_minutes = 150
    shop_a.booking_settings.save()
    client.force_login(bob)

    tuesday = client.get(TIMES, {"shop": shop_a.pk, "date": TUESDAY.isoformat()}).json()
    saturday = client.get(TIMES, {"shop": shop_a.pk, "date": "2026-12-12"}).json()
    today = client.get(TIMES, {"shop": shop_a.pk, "date": MONDAY.isoformat()}).json()

    assert ["10:00", "10:00 AM · 1 of 2 seats left"] in tuesday["choices"]
    assert saturday["note"] == "Sat Dec 12 is not a working day at the shop."
    # 06:00 with two and a half hours' notice: 8:00 is too soon, 9:00 is not.
    assert ["08:00", "8:00 AM · too soon (minimum notice)"] in today["choices"]
    assert ["09:00", "9:00 AM · 2 of 2 seats left"] in today["choices"]


def test_typing_a_phone_number_shows_the_callers_earlier_bookings(client, bob, shop_a):
    book(shop_a, MONDAY, "15:00", name="Jane Smith", phone="+16615550142", appliance="Washer")
    book(shop_a, TUESDAY, "09:00", name="Someone Else", phone="+16615550199")
    client.force_login(bob)

    html = client.get(EARLIER, {"shop": shop_a.pk, "phone": "(661) 555-0142"}).content.decode()
    partial = client.get(EARLIER, {"shop": shop_a.pk, "phone": "(661) 55"}).content.decode()
    nobody = client.get(EARLIER, {"shop": shop_a.pk, "phone": "661 555 0100"}).content.decode()

    assert "Earlier bookings for (661) 555-0142" in html
    assert "Jane Smith" in html and "Washer" in html and "Mon Dec 7, 2026 3:00 PM" in html
    assert "Someone Else" not in html
    assert partial.strip() == ""
    assert "No earlier bookings for this number." in nobody


def test_a_form_sent_back_with_an_error_shows_the_earlier_bookings_without_a_script(
    client, bob, shop_a
):
    book(shop_a, MONDAY, "15:00", name="Jane Smith", phone="+16615550142")
    client.force_login(bob)

    response = client.post(ADD, {"shop": shop_a.pk, "phone": "661-555-0142", "_save": "Save"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="earlier-bookings"' in html and "Jane Smith" in html


def test_charlie_gets_neither_shop_as_times_nor_its_callers(client, charlie, shop_a, shop_b):
    book(shop_a, MONDAY, "15:00", name="Jane Smith", phone="+16615550142")
    client.force_login(charlie)

    assert client.get(TIMES, {"shop": shop_a.pk, "date": TUESDAY.isoformat()}).status_code == 404
    assert client.get(EARLIER, {"shop": shop_a.pk, "phone": "6615550142"}).status_code == 404
    own = client.get(EARLIER, {"shop": shop_b.pk, "phone": "6615550142"}).content.decode()
    assert "Jane Smith" not in own and "No earlier bookings" in own
    form = client.get(ADD).context["adminform"].form
    assert "Jane Smith" not in form.fields["phone"].widget.earlier_html
