from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.admin.models import LogEntry

from booking.services import booking_cancel
from booking.tests.helpers import MONDAY, TUESDAY, WEDNESDAY, book, seats_taken

CALENDAR = "/admin/booking/booking/calendar/"
pytestmark = pytest.mark.usefixtures("monday_morning")


def move(client, booking, day, start: str, **extra):
    back = f"{CALENDAR}?date={day.isoformat()}"
    return client.post(
        f"/admin/booking/booking/calendar/{booking.pk}/move/",
        {"date": day.isoformat(), "time": start, "next": back, **extra},
        follow=True,
    )


def messages_of(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def full_ten(shop_a):
    book(shop_a, TUESDAY, "10:00")
    book(shop_a, TUESDAY, "10:00")


def test_a_booking_moves_into_a_free_start_time(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "09:00", name="Jane Smith")
    client.force_login(bob)

    response = move(client, booking, WEDNESDAY, "14:00")

    booking.refresh_from_db()
    assert (booking.scheduled_date, booking.scheduled_time) == (WEDNESDAY, dt.time(14))
    assert (seats_taken(shop_a, TUESDAY, "09:00"), seats_taken(shop_a, WEDNESDAY, "14:00")) == (
        0,
        1,
    )
    assert "Moved Jane Smith to Wed Dec 09 2 PM." in messages_of(response)
    assert response.redirect_chain[-1][0] == f"{CALENDAR}?date={WEDNESDAY.isoformat()}"
    assert LogEntry.objects.filter(object_id=str(booking.pk)).exists()


def test_a_full_start_time_is_refused_with_a_clear_message(client, bob, shop_a, full_ten):
    booking = book(shop_a, TUESDAY, "09:00", name="Jane Smith")
    client.force_login(bob)

    response = move(client, booking, TUESDAY, "10:00")

    booking.refresh_from_db()
    assert booking.scheduled_time == dt.time(9)
    assert seats_taken(shop_a, TUESDAY, "10:00") == 2
    assert "Jane Smith was not moved: 10:00 on 2026-12-08 is full." in messages_of(response)
    assert "only the owner can overbook" in messages_of(response)


def test_the_owner_may_knowingly_overbook(client, alice, shop_a, full_ten):
    booking = book(shop_a, TUESDAY, "09:00", name="Jane Smith")
    client.force_login(alice)

    refused = move(client, booking, TUESDAY, "10:00")
    assert "tick Overbook to book it anyway" in messages_of(refused)
    response = move(client, booking, TUESDAY, "10:00", overbook="1")

    booking.refresh_from_db()
    assert booking.scheduled_time == dt.time(10) and booking.overbooked
    assert seats_taken(shop_a, TUESDAY, "10:00") == 3
    assert "(overbooked)" in messages_of(response)


def test_a_dispatcher_may_not_overbook(client, bob, shop_a, full_ten):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(bob)

    response = move(client, booking, TUESDAY, "10:00", overbook="1")

    booking.refresh_from_db()
    assert booking.scheduled_time == dt.time(9) and not booking.overbooked
    assert "Only the shop's owner can overbook" in messages_of(response)


def test_a_move_to_a_non_working_day_says_why(client, alice, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(alice)

    response = move(client, booking, MONDAY + dt.timedelta(days=5), "09:00")

    assert "Sat Dec 12 is not a working day at the shop" in messages_of(response)
    booking.refresh_from_db()
    assert booking.scheduled_date == TUESDAY


def test_charlie_cannot_move_alices_booking(client, charlie, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(charlie)

    response = client.post(
        f"/admin/booking/booking/calendar/{booking.pk}/move/",
        {"date": WEDNESDAY.isoformat(), "time": "14:00"},
    )

    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.scheduled_date == TUESDAY


def test_moving_takes_a_post_and_an_outside_next_is_ignored(client, alice, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(alice)
    url = f"/admin/booking/booking/calendar/{booking.pk}/move/"

    assert client.put(url).status_code == 405
    response = client.post(
        url, {"date": WEDNESDAY.isoformat(), "time": "09:00", "next": "https://evil.example/"}
    )
    assert response["Location"] == CALENDAR


def test_the_move_page_offers_the_move_form_and_overbook_only_to_owners(client, alice, bob, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    move_page = f"{CALENDAR}{booking.pk}/move/"

    client.force_login(alice)
    owner_html = client.get(move_page).content.decode()
    client.force_login(bob)
    dispatcher_html = client.get(move_page).content.decode()

    assert 'name="overbook"' in owner_html
    assert 'name="time"' in dispatcher_html and 'name="overbook"' not in dispatcher_html


def test_each_card_links_to_the_move_page_and_carries_no_form_of_its_own(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(bob)

    html = client.get(CALENDAR, {"date": TUESDAY.isoformat()}).content.decode()

    assert f'href="{booking.pk}/move/"' in html  # relative to the calendar: its move page
    assert "<form" not in html.split('class="cal-grid')[1]


def test_the_move_page_goes_back_to_the_calendar_it_came_from(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(bob)
    move_page = f"{CALENDAR}{booking.pk}/move/"
    week = f"http://testserver{CALENDAR}?view=week&date={TUESDAY.isoformat()}&source=ahs"

    from_week = client.get(move_page, headers={"referer": week})
    from_elsewhere = client.get(move_page, headers={"referer": "https://evil.example/"})

    assert from_week.context["back"] == week
    assert from_elsewhere.context["back"] == (
        f"{CALENDAR}?shop={shop_a.pk}&date={TUESDAY.isoformat()}"
    )
    assert f'name="next" value="{week}"'.replace("&", "&amp;") in from_week.content.decode()


def test_a_cancelled_booking_has_no_move_form(client, bob, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    booking_cancel(booking=booking)
    client.force_login(bob)

    html = client.get(f"{CALENDAR}{booking.pk}/move/").content.decode()

    assert "cannot be moved" in html and 'name="time"' not in html


def test_charlie_cannot_open_the_move_page_of_alices_booking(client, charlie, shop_a):
    booking = book(shop_a, TUESDAY, "09:00")
    client.force_login(charlie)

    assert client.get(f"{CALENDAR}{booking.pk}/move/").status_code == 404
