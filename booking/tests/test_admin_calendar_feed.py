from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.services import booking_cancel
from booking.tests.helpers import MONDAY, TUESDAY, book, many_bookings

URL = "/admin/booking/booking/calendar/feed/"
WEEK = {"start": MONDAY.isoformat(), "end": (MONDAY + dt.timedelta(days=6)).isoformat()}
pytestmark = pytest.mark.usefixtures("monday_morning")


@pytest.fixture
def bookings(shop_a, shop_b):
    book(shop_a, TUESDAY, "AM", name="Jane Smith", source="ahs", work_order_number="WO-7781")
    booking_cancel(booking=book(shop_a, TUESDAY, "PM", name="Called Off"))
    book(shop_b, TUESDAY, "AM", name="Bea Other")


def test_the_feed_lists_the_shops_bookings_in_its_time_zone(client, bob, bookings):
    client.force_login(bob)

    data = client.get(URL, WEEK).json()

    assert data["shop"]["time_zone"] == "America/Los_Angeles"
    [jane] = data["bookings"]
    assert jane["customer"] == "Jane Smith"
    assert jane["start"] == "2026-12-08T08:00:00-08:00"
    assert jane["window"] == "am"
    assert jane["source"] == "ahs" and data["colours"]["ahs"].startswith("#")
    assert jane["work_order_number"] == "WO-7781"
    assert "claim_number" not in jane  # said only when the booking has one
    url = data["change_url"].format(id=jane["id"])
    assert url == f"/admin/booking/booking/{jane['id']}/change/"


def test_cancelled_bookings_come_only_when_asked(client, alice, bookings):
    client.force_login(alice)

    data = client.get(URL, {**WEEK, "cancelled": "1"}).json()

    assert sorted(b["customer"] for b in data["bookings"]) == ["Called Off", "Jane Smith"]


def test_charlie_gets_only_his_shop_and_a_404_for_alices(client, charlie, shop_a, bookings):
    client.force_login(charlie)

    own = client.get(URL, WEEK).json()
    theirs = client.get(URL, {**WEEK, "shop": shop_a.pk})

    assert [b["customer"] for b in own["bookings"]] == ["Bea Other"]
    assert theirs.status_code == 404


def test_a_superuser_reads_any_shop(client, admin_user, shop_a, bookings):
    client.force_login(admin_user)

    data = client.get(URL, {**WEEK, "shop": shop_a.pk}).json()

    assert [b["customer"] for b in data["bookings"]] == ["Jane Smith"]


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"start": "next tuesday", "end": "2026-12-13"},
        {"start": "2026-12-13", "end": "2026-12-07"},
        {"start": "2026-12-01", "end": "2027-03-01"},
    ],
)
def test_a_bad_range_is_a_clear_400(client, alice, bookings, params):
    client.force_login(alice)

    response = client.get(URL, params)

    assert response.status_code == 400
    assert response.json()["code"] == "invalid_field"


def test_signed_out_visitors_are_sent_to_log_in(client, bookings):
    response = client.get(URL, WEEK)

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_the_feed_takes_the_same_queries_with_ten_or_ten_thousand_bookings(
    client, alice, shop_a, django_assert_num_queries
):
    client.force_login(alice)
    many_bookings(shop_a, MONDAY, 10)
    client.get(URL, WEEK)
    with CaptureQueriesContext(connection) as ten:
        client.get(URL, WEEK)

    many_bookings(shop_a, MONDAY - dt.timedelta(weeks=10), 10_000, weekdays=100)

    with django_assert_num_queries(len(ten.captured_queries)):
        data = client.get(URL, WEEK).json()
    assert len(data["bookings"]) == 510


def test_a_range_longer_than_a_week_is_refused_saying_to_ask_week_by_week(client, alice, bookings):
    client.force_login(alice)
    eight_days = {"start": MONDAY.isoformat(), "end": (MONDAY + dt.timedelta(days=7)).isoformat()}

    response = client.get(URL, eight_days)

    assert response.status_code == 400
    assert "at most 7 days" in response.json()["error"]
    assert "week by week" in response.json()["error"]
