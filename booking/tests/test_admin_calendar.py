from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urljoin

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Booking
from booking.services import booking_cancel
from booking.tests.helpers import MONDAY, THURSDAY, TUESDAY, WEDNESDAY, book, many_bookings
from tenants.models import BlackoutDate

URL = "/admin/booking/booking/calendar/"
pytestmark = pytest.mark.usefixtures("monday_morning")


def cards(html: str) -> list[str]:
    return re.findall(r'<div class="cal-card( [^"]*)?"', html)


def test_the_week_shows_each_booking_at_its_start_time_and_day(client, alice, shop_a):
    book(shop_a, TUESDAY, "AM", source="ahs", name="Ann Early", work_order_number="WO-7781")
    book(shop_a, TUESDAY, "14:00", source="frontdoor", name="Pat Afternoon", appliance="Washer")
    book(shop_a, THURSDAY, "PM", source="", name="Dee Direct", appliance="Dryer")
    client.force_login(alice)

    response = client.get(URL, {"view": "week", "date": WEDNESDAY.isoformat()})

    assert response.status_code == 200
    html = response.content.decode()
    grid = response.context["cal"]
    assert [day.date for day in grid.days] == [MONDAY + dt.timedelta(days=n) for n in range(7)]
    placed = {
        (cell.day.date, row.start): [b.customer_name for b in cell.bookings]
        for row in grid.rows
        for cell in row.cells
        if cell.bookings
    }
    assert placed == {
        (TUESDAY, dt.time(8)): ["Ann Early"],
        (TUESDAY, dt.time(14)): ["Pat Afternoon"],
        (THURSDAY, dt.time(12)): ["Dee Direct"],
    }
    assert "WO# WO-7781" in html
    assert "Washer" in html and "PM window" in html
    # Each source its own colour, named in the legend; no source reads "direct".
    assert [name for name, _ in grid.sources] == ["direct", "ahs", "frontdoor"]
    assert len({colour for _, colour in grid.sources}) == 3
    # The card links to the booking's page, relative to the calendar's address (bytes count).
    booking = Booking.objects.get(customer_name="Ann Early")
    assert f'href="../{booking.pk}/change/"' in html
    page = f"/admin/booking/booking/{booking.pk}/change/"
    assert urljoin(URL, f"../{booking.pk}/change/") == page


def test_each_start_time_shows_seats_taken_out_of_capacity(client, bob, shop_a):
    book(shop_a, TUESDAY, "09:00")
    book(shop_a, TUESDAY, "09:00")
    book(shop_a, TUESDAY, "10:00")
    client.force_login(bob)

    grid = client.get(URL, {"date": TUESDAY.isoformat()}).context["cal"]

    tuesday = {row.start: row.cells[1] for row in grid.rows}
    assert (tuesday[dt.time(9)].taken, tuesday[dt.time(9)].capacity) == (2, 2)
    assert tuesday[dt.time(9)].full
    assert (tuesday[dt.time(10)].taken, tuesday[dt.time(10)].capacity) == (1, 2)
    assert grid.days[1].taken == 3 and grid.days[1].capacity == 18


def test_cancelled_bookings_are_hidden_unless_asked_for(client, alice, shop_a):
    book(shop_a, TUESDAY, "AM", name="Kept Booking")
    booking_cancel(booking=book(shop_a, TUESDAY, "PM", name="Called Off"))
    client.force_login(alice)

    hidden = client.get(URL, {"date": TUESDAY.isoformat()}).content.decode()
    shown = client.get(URL, {"date": TUESDAY.isoformat(), "cancelled": "1"}).content.decode()

    assert "Kept Booking" in hidden and "Called Off" not in hidden
    assert "Called Off" in shown and "status-cancelled" in shown


def test_filters_by_source_and_status(client, alice, shop_a):
    book(shop_a, TUESDAY, "AM", source="ahs", name="From AHS")
    book(shop_a, TUESDAY, "AM", source="frontdoor", name="From Frontdoor")
    client.force_login(alice)

    by_source = client.get(URL, {"date": TUESDAY.isoformat(), "source": "frontdoor"})
    by_status = client.get(URL, {"date": TUESDAY.isoformat(), "status": "confirmed"})

    assert "From Frontdoor" in by_source.content.decode()
    assert "From AHS" not in by_source.content.decode()
    assert len(cards(by_status.content.decode())) == 0


def test_today_blackout_and_non_working_days_are_marked(client, alice, shop_a):
    BlackoutDate.objects.create(
        settings=shop_a.booking_settings, date=WEDNESDAY, reason="Staff training"
    )
    client.force_login(alice)

    response = client.get(URL, {"date": MONDAY.isoformat()})

    days = {day.date: day for day in response.context["cal"].days}
    assert days[MONDAY].is_today and not days[TUESDAY].is_today
    assert days[WEDNESDAY].closed == "blackout: Staff training"
    assert days[MONDAY + dt.timedelta(days=5)].closed == "non-working day"
    html = response.content.decode()
    assert "Staff training" in html and "non-working day" in html and "cal-today-badge" in html


def test_day_and_month_views_navigate_in_their_own_steps(client, alice, shop_a):
    book(shop_a, TUESDAY, "AM", name="Month Visible")
    client.force_login(alice)

    day = client.get(URL, {"view": "day", "date": TUESDAY.isoformat()})
    month = client.get(URL, {"view": "month", "date": TUESDAY.isoformat()})

    assert [d.date for d in day.context["cal"].days] == [TUESDAY]
    assert "date=2026-12-09" in day.context["nav"]["next"]
    assert "date=2026-12-07" in day.context["nav"]["previous"]
    assert "date=2026-12-07" in day.context["nav"]["today"]
    assert month.context["cal"].days[0].date == dt.date(2026, 11, 30)
    assert "date=2026-11-01" in month.context["nav"]["previous"]
    assert "date=2027-01-01" in month.context["nav"]["next"]
    assert "Month Visible" in month.content.decode()


def test_times_are_the_shops_wall_clock(client, charlie, shop_b):
    # Shop B is in New York; a 9:00 booking there is 9:00 on its calendar, whatever the server.
    book(shop_b, TUESDAY, "09:00", name="Eastern Nine")
    client.force_login(charlie)

    response = client.get(URL, {"date": TUESDAY.isoformat()})

    assert "America/New_York" in response.content.decode()
    nine = next(row for row in response.context["cal"].rows if row.start == dt.time(9))
    assert [b.customer_name for b in nine.cells[1].bookings] == ["Eastern Nine"]


# --- who sees what ------------------------------------------------------------------------


def test_charlie_sees_his_own_shop_and_nothing_of_alices(client, alice, charlie, shop_a, shop_b):
    book(shop_a, TUESDAY, "AM", name="Alice Customer")
    client.force_login(charlie)

    own = client.get(URL, {"date": TUESDAY.isoformat()})
    theirs = client.get(URL, {"date": TUESDAY.isoformat(), "shop": shop_a.pk})

    assert own.status_code == 200 and own.context["shop"] == shop_b
    assert "Alice Customer" not in own.content.decode()
    assert theirs.status_code == 404


def test_a_superuser_picks_any_shop(client, admin_user, alice, shop_a, shop_b):
    book(shop_a, TUESDAY, "AM", name="Alice Customer")
    client.force_login(admin_user)

    response = client.get(URL, {"date": TUESDAY.isoformat(), "shop": shop_a.pk})

    assert "Alice Customer" in response.content.decode()
    assert [name for _, name in response.context["shops"]] == [
        "Done Right Appliance",
        "Fix It Fast",
    ]


def test_signed_out_visitors_are_sent_to_the_login_page(client, shop_a):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_a_staff_user_of_no_shop_is_refused(client, django_user_model, shop_a):
    loner = django_user_model.objects.create_user("loner", password="x", is_staff=True)
    client.force_login(loner)

    assert client.get(URL).status_code == 403


# --- queries --------------------------------------------------------------------------------


def test_a_week_takes_the_same_queries_with_ten_or_ten_thousand_bookings(
    client, alice, shop_a, django_assert_num_queries
):
    client.force_login(alice)
    many_bookings(shop_a, MONDAY, 10)
    params = {"view": "week", "date": MONDAY.isoformat()}
    client.get(URL, params)  # warm the session
    with CaptureQueriesContext(connection) as ten:
        client.get(URL, params)

    # Twenty weeks of them around this one: 500 land in the week shown.
    many_bookings(shop_a, MONDAY - dt.timedelta(weeks=10), 10_000, weekdays=100)

    with django_assert_num_queries(len(ten.captured_queries)):
        response = client.get(URL, params)
    assert len(cards(response.content.decode())) == 510


@pytest.mark.parametrize("date", ["9999-12-31", "0001-01-01", "yesterday"])
def test_a_nonsense_date_opens_today(client, alice, shop_a, date):
    client.force_login(alice)

    response = client.get(URL, {"view": "month", "date": date})

    assert response.status_code == 200
    assert response.context["cal"].span.anchor == dt.date(2026, 12, 1)


def test_direct_means_no_source_in_the_filter(client, alice, shop_a):
    book(shop_a, TUESDAY, "AM", source="", name="Walk In")
    book(shop_a, TUESDAY, "AM", source="ahs", name="From AHS")
    client.force_login(alice)

    response = client.get(URL, {"date": TUESDAY.isoformat(), "source": "direct"})

    html = response.content.decode()
    assert "Walk In" in html and "From AHS" not in html
    assert response.context["all_sources"] == ["direct", "ahs"]
