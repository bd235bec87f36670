from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.models import Booking
from booking.tests.helpers import MONDAY, TUESDAY, at_shop, book, book_warranty_job, many_bookings

URL = "/admin/booking/booking/"
pytestmark = pytest.mark.usefixtures("monday_morning")


def names(response) -> list[str]:
    return sorted(b.customer_name for b in response.context["cl"].result_list)


@pytest.fixture
def two_shops(shop_a, shop_b):
    book_warranty_job(shop_a, TUESDAY)
    book(shop_a, TUESDAY, "PM", name="Raj Patel", source="frontdoor", appliance="Washer")
    book(shop_b, TUESDAY, "AM", name="Bea Other", source="cinch")


def test_owner_and_dispatcher_see_their_shops_bookings(client, alice, bob, two_shops):
    for user in (alice, bob):
        client.force_login(user)
        response = client.get(URL)
        assert response.status_code == 200
        assert names(response) == ["Jane Smith", "Raj Patel"]


def test_the_list_shows_the_dispatch_columns(client, bob, two_shops):
    client.force_login(bob)

    html = client.get(URL).content.decode()

    for text in ["Tue Dec 8", "8:00 AM", "Jane Smith", "Refrigerator"]:
        assert text in html
    assert '<a href="tel:+16615550123">(661) 555-0123</a>' in html
    assert "123 Main St, Lancaster CA 93534" in html
    for text in ["WO-7781", "CL-55", "Scheduled", "Partner API", 'class="source-tag"']:
        assert text in html
    assert "column-shop" not in html
    assert "<h1>Bookings</h1>" in html and "Select booking to change" not in html


def test_a_phone_is_read_out_in_the_national_format_even_outside_any_area_code(client, bob, shop_a):
    book(shop_a, TUESDAY, "PM", phone="+15551234567")
    client.force_login(bob)

    html = client.get(URL).content.decode()

    assert "(555) 123-4567" in html and ">+15551234567<" not in html


def test_the_list_opens_on_today_and_the_days_after_it_in_time_order(
    client, freeze_now, bob, shop_a
):
    book(shop_a, TUESDAY, "14:00", name="Tuesday Afternoon")
    book(shop_a, MONDAY, "15:00", name="Monday Late")
    book(shop_a, TUESDAY, "09:00", name="Tuesday Morning")
    book(shop_a, MONDAY, "09:00", name="Monday Early")
    # Tuesday at 08:00: Monday's bookings are history.
    freeze_now(at_shop(shop_a, TUESDAY, 8))
    client.force_login(bob)

    opened = client.get(URL)
    past = client.get(URL, {"when": "past"})
    every = client.get(URL, {"when": "all"})

    in_order = [b.customer_name for b in opened.context["cl"].result_list]
    assert in_order == ["Tuesday Morning", "Tuesday Afternoon"]
    assert [b.customer_name for b in past.context["cl"].result_list] == [
        "Monday Late",
        "Monday Early",
    ]
    assert names(every) == ["Monday Early", "Monday Late", "Tuesday Afternoon", "Tuesday Morning"]
    filters = opened.content.decode()
    assert '<a href="?when=past">Before today</a>' in filters
    assert "selected" in filters.split("From today")[0].rsplit("<li", 1)[1]


def test_a_search_looks_at_every_date(client, freeze_now, bob, shop_a):
    book(shop_a, MONDAY, "09:00", name="Jane Earlier", phone="+16615550142")
    book(shop_a, TUESDAY, "09:00", name="Jane Later", phone="+16615550142")
    freeze_now(at_shop(shop_a, TUESDAY, 8))
    client.force_login(bob)

    assert names(client.get(URL, {"q": "(661) 555-0142"})) == ["Jane Earlier", "Jane Later"]
    assert names(client.get(URL, {"q": "555-0142", "when": "upcoming"})) == ["Jane Later"]


def test_charlie_sees_none_of_alices_bookings(client, charlie, two_shops):
    client.force_login(charlie)

    response = client.get(URL)

    assert names(response) == ["Bea Other"]
    # Filters only offer what his shop has.
    assert "frontdoor" not in response.content.decode()


def test_a_superuser_sees_every_shop_with_a_shop_column(client, admin_user, two_shops):
    client.force_login(admin_user)

    response = client.get(URL)

    assert names(response) == ["Bea Other", "Jane Smith", "Raj Patel"]
    assert "column-shop" in response.content.decode()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("WO-7781", ["Jane Smith"]),
        ("CL-55", ["Jane Smith"]),
        ("6615550123", ["Jane Smith"]),
        ("Patel", ["Raj Patel"]),
        ("Lancaster", ["Jane Smith", "Raj Patel"]),
        ("Bea", []),
    ],
)
def test_search_finds_name_phone_address_and_partner_numbers(
    client, alice, two_shops, query, expected
):
    client.force_login(alice)

    assert names(client.get(URL, {"q": query})) == expected


@pytest.mark.parametrize("query", ["(661) 555-0123", "661-555-0123", "1 661 555 0123", "555-0123"])
def test_search_finds_a_phone_typed_the_way_a_caller_says_it(client, bob, two_shops, query):
    client.force_login(bob)

    assert names(client.get(URL, {"q": query})) == ["Jane Smith"]


def test_search_finds_a_booking_by_the_reference_its_customer_reads_out(client, bob, two_shops):
    jane = Booking.objects.get(customer_name="Jane Smith")
    client.force_login(bob)

    assert names(client.get(URL, {"q": jane.reference})) == ["Jane Smith"]
    assert names(client.get(URL, {"q": jane.reference.lower()})) == ["Jane Smith"]


def test_charlie_cannot_find_alices_booking_by_its_reference(client, charlie, two_shops):
    jane = Booking.objects.get(customer_name="Jane Smith")
    client.force_login(charlie)

    assert names(client.get(URL, {"q": jane.reference})) == []
    assert names(client.get(URL, {"q": "(661) 555-0123"})) == []


def test_filters_by_source_appliance_status_and_channel(client, alice, two_shops):
    client.force_login(alice)

    assert names(client.get(URL, {"source": "frontdoor"})) == ["Raj Patel"]
    assert names(client.get(URL, {"appliance": "Washer"})) == ["Raj Patel"]
    assert names(client.get(URL, {"status__exact": "confirmed"})) == []
    assert names(client.get(URL, {"channel__exact": "api"})) == ["Jane Smith", "Raj Patel"]


def test_today_and_tomorrow_follow_the_shops_clock(client, freeze_now, alice, shop_a, two_shops):
    book(shop_a, MONDAY, "15:00", name="Monday Late")
    # 21:00 Monday in Lancaster is already Tuesday in UTC.
    freeze_now(at_shop(shop_a, MONDAY, 21))
    client.force_login(alice)

    assert names(client.get(URL, {"when": "today"})) == ["Monday Late"]
    assert names(client.get(URL, {"when": "tomorrow"})) == ["Jane Smith", "Raj Patel"]
    assert names(client.get(URL, {"when": "this_week"})) == [
        "Jane Smith",
        "Monday Late",
        "Raj Patel",
    ]
    assert names(client.get(URL, {"when": "next_week"})) == []


def test_the_list_takes_the_same_queries_with_ten_or_ten_thousand_bookings(
    client, alice, shop_a, django_assert_num_queries
):
    client.force_login(alice)
    many_bookings(shop_a, MONDAY, 10)
    client.get(URL)
    with CaptureQueriesContext(connection) as ten:
        client.get(URL)

    many_bookings(shop_a, MONDAY - dt.timedelta(weeks=10), 10_000, weekdays=100)

    with django_assert_num_queries(len(ten.captured_queries)):
        response = client.get(URL)
    assert len(response.context["cl"].result_list) == 100


def test_the_list_links_to_the_calendar_and_the_filtered_export(client, alice, two_shops):
    client.force_login(alice)

    html = client.get(URL, {"source": "ahs"}).content.decode()

    assert 'href="/admin/booking/booking/calendar/"' in html
    assert 'href="/admin/booking/booking/export/?source=ahs"' in html


def test_bookings_cannot_be_deleted_only_cancelled(client, alice, two_shops):
    client.force_login(alice)
    response = client.get(URL)

    assert "delete_selected" not in response.content.decode()
    booking = response.context["cl"].result_list[0]
    assert client.get(f"{URL}{booking.pk}/delete/").status_code == 403
