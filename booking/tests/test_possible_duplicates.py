"""A new booking that may be one already made (same phone or address, within two weeks) is
flagged for the dispatcher by the booking service, whatever the door; it is never refused."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking.addresses import address_key
from booking.models import Booking
from booking.services import booking_cancel, booking_update
from booking.tests.helpers import (
    MONDAY,
    THURSDAY,
    TUESDAY,
    at_shop,
    book,
    next_working_day,
)

pytestmark = pytest.mark.django_db

DAYS = dt.timedelta
BOOKINGS = "/admin/booking/booking/"
CALENDAR = BOOKINGS + "calendar/"


def test_a_second_booking_for_the_same_phone_is_flagged_and_still_booked(shop_a, day):
    first = book(shop_a, day, address="1 Elm St, Lancaster CA 93534")

    second = book(shop_a, day + DAYS(7), "PM", address="9 Oak Ave, Lancaster CA 93535")

    second.refresh_from_db()
    assert second.possible_duplicate_of_id == first.pk
    assert second.holds_seat
    first.refresh_from_db()
    assert first.possible_duplicate_of_id is None, "the first one was not a duplicate"


def test_the_same_address_spelt_another_way_is_flagged(shop_a, day):
    first = book(
        shop_a, day + DAYS(7), phone="+16615550101", address="123 Main Street, Apt 4, Lancaster CA"
    )

    second = book(
        shop_a,
        day,  # a week before the first: either side counts
        phone="+16615550102",
        address="123 main st #4  lancaster, ca, USA",
        channel=Booking.Channel.BOOKING_PAGE,
    )

    second.refresh_from_db()
    assert second.possible_duplicate_of_id == first.pk


def test_the_earliest_of_a_same_phone_and_a_same_address_booking_is_named(shop_a, day):
    by_address = book(shop_a, day, phone="+16615550101", address="5 Pine Rd, Lancaster CA")
    by_phone = book(shop_a, day + DAYS(7), phone="+16615550199", address="7 Elm St, Lancaster CA")

    new = book(shop_a, day + DAYS(14), phone="+16615550199", address="5 Pine Rd, Lancaster CA")

    new.refresh_from_db()
    assert new.possible_duplicate_of_id == by_address.pk
    assert by_phone.pk != by_address.pk


@pytest.mark.parametrize(
    "other",
    [
        "another phone and address",
        "more than 14 days apart",
        "cancelled",
        "another shop",
        "another apartment",
    ],
)
def test_only_a_booking_that_still_holds_its_seat_near_the_day_counts(shop_a, shop_b, day, other):
    earlier = {
        "another phone and address": lambda: book(
            shop_a, day, phone="+16615550111", address="7 Pine Rd, Lancaster CA"
        ),
        # The first working day at least 15 days on: a weekend would refuse the booking.
        "more than 14 days apart": lambda: book(
            shop_a, next_working_day(shop_a, days_ahead=(day - shop_a.today()).days + 15)
        ),
        "cancelled": lambda: booking_cancel(booking=book(shop_a, day)),
        "another shop": lambda: book(shop_b, day),
        "another apartment": lambda: book(
            shop_a, day, phone="+16615550111", address="123 Main St Apt 5, Lancaster CA 93534"
        ),
    }[other]
    earlier()

    new = book(shop_a, day, "PM", address="123 Main St Apt 4, Lancaster CA 93534")

    new.refresh_from_db()
    assert new.possible_duplicate_of_id is None


def test_fourteen_days_apart_is_still_near(shop_a, day):
    first = book(shop_a, day + DAYS(14))

    second = book(shop_a, day)

    assert Booking.objects.get(pk=second.pk).possible_duplicate_of_id == first.pk


def test_flagging_costs_no_query_of_its_own(shop_a, day):
    shop = type(shop_a).objects.select_related("booking_settings").get(pk=shop_a.pk)
    book(shop, day, "AM")  # the day's counters exist from here on, for both bookings below
    with CaptureQueriesContext(connection) as unmatched:
        book(shop, day, "PM", phone="+16615550199", address="9 Far Rd, Lancaster CA 93534")
    with CaptureQueriesContext(connection) as matched:
        booking = book(shop, day, "PM")

    assert Booking.objects.get(pk=booking.pk).possible_duplicate_of_id is not None
    assert len(matched.captured_queries) == len(unmatched.captured_queries)


def test_an_address_edited_by_staff_is_compared_as_edited(shop_a, day):
    first = book(shop_a, day, phone="+16615550121", address="1 Elm St, Lancaster CA 93534")
    booking_update(booking=first, address="44 Oak Avenue, Lancaster CA 93534")

    second = book(shop_a, day, "PM", phone="+16615550122", address="44 Oak Ave Lancaster CA 93534")

    assert Booking.objects.get(pk=second.pk).possible_duplicate_of_id == first.pk


@pytest.mark.parametrize(
    "one, other",
    [
        ("123 Main Street, Lancaster CA 93534", "123 MAIN ST. LANCASTER, CA 93534-1234"),
        ("9 North Elm Avenue Apartment 2B", "9 N Elm Ave #2B"),
        ("9 Elm Ave Unit 2B, Lancaster, CA 93534, USA", "9 elm ave apt 2b lancaster ca 93534"),
    ],
)
def test_two_spellings_of_one_address_share_a_key(one, other):
    assert address_key(one) == address_key(other)


def test_different_addresses_have_different_keys():
    assert address_key("123 Main St Apt 4") != address_key("123 Main St Apt 5")
    assert address_key("123 Main St") != address_key("124 Main St")


# --- What the dispatcher sees ----------------------------------------------------------------


@pytest.fixture
def twice(shop_a, freeze_now):
    """Jane booked Tuesday through a partner and Thursday on the booking page: one job, twice?"""
    freeze_now(at_shop(shop_a, MONDAY, 6))
    first = book(shop_a, TUESDAY, "AM", source="ahs")
    second = book(
        shop_a, THURSDAY, "PM", source="web", channel=Booking.Channel.BOOKING_PAGE, email=""
    )
    book(shop_a, TUESDAY, "PM", name="Raj Patel", phone="+16615550177", address="7 Pine Rd 93535")
    return first, second


def test_the_calendar_card_says_possible_duplicate(client, bob, twice):
    client.force_login(bob)

    html = client.get(CALENDAR, {"view": "week", "date": MONDAY.isoformat()}).content.decode()

    cards = html.split('<div class="cal-card ')[1:]
    [flagged] = [card for card in cards if "Possible duplicate" in card]
    assert "Jane Smith" in flagged and ">web<" in flagged, "Thursday's booking-page one"
    month = client.get(CALENDAR, {"view": "month", "date": MONDAY.isoformat()}).content.decode()
    assert month.count("Possible duplicate</em>") == 1


def test_the_booking_page_names_the_booking_it_may_duplicate(client, bob, twice):
    first, second = twice
    client.force_login(bob)

    flagged = client.get(f"{BOOKINGS}{second.pk}/change/").content.decode()
    original = client.get(f"{BOOKINGS}{first.pk}/change/").content.decode()

    assert (
        '<strong class="duplicate-mark">Possible duplicate</strong> of '
        f'<a href="{BOOKINGS}{first.pk}/change/">Jane Smith, Tue Dec 8 8:00 AM</a> '
        f"(ref {first.reference}, scheduled): same phone and address."
    ) in flagged
    assert "duplicate-mark" not in original


def test_the_bookings_list_filters_the_possible_duplicates(client, bob, twice):
    _, second = twice
    client.force_login(bob)

    response = client.get(BOOKINGS, {"duplicate": "yes"})

    assert [b.pk for b in response.context["cl"].result_list] == [second.pk]
    assert "Possible duplicates" in response.content.decode()


def test_charlie_filters_none_of_alices_duplicates(client, charlie, twice):
    client.force_login(charlie)

    response = client.get(BOOKINGS, {"duplicate": "yes"})

    assert list(response.context["cl"].result_list) == []


def test_the_migration_gives_existing_bookings_their_address_key(shop_a, day):
    from django.apps import apps

    fill_address_keys = importlib.import_module(
        "booking.migrations.0004_booking_possible_duplicates"
    ).fill_address_keys
    booking = book(shop_a, day, address="123 Main Street, Lancaster CA 93534")
    Booking.objects.filter(pk=booking.pk).update(address_key="")

    fill_address_keys(apps, None)

    booking.refresh_from_db()
    assert booking.address_key == "123 main st lancaster ca 93534"
