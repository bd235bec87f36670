from __future__ import annotations

import datetime as dt

import icalendar
import pytest

from booking.ics import booking_ics
from booking.tests.factories import BookingFactory

pytestmark = pytest.mark.django_db


def test_an_exact_time_is_at_the_shops_wall_clock_and_lasts_the_jobs_duration(shop_a):
    booking = BookingFactory(
        shop=shop_a,
        scheduled_date=dt.date(2027, 7, 6),
        scheduled_time=dt.time(15, 0),
        requested_time_slot="15:00",
        duration_minutes=90,
    )

    [event] = icalendar.Calendar.from_ical(booking_ics(booking)).walk("VEVENT")

    # 15:00 in Los Angeles in July is 22:00 UTC (PDT).
    assert event.decoded("DTSTART") == dt.datetime(2027, 7, 6, 22, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=90)
    assert str(event["STATUS"]) == "CONFIRMED"


@pytest.mark.parametrize(
    "asked, start, window",
    [("am", dt.time(10), (dt.time(9), dt.time(12))), ("", dt.time(13), (dt.time(12), dt.time(16)))],
)
def test_a_window_booking_spans_the_window_the_customer_was_promised(shop_a, asked, start, window):
    # The shop's starts are 9:00 to 15:00: its morning is 9 AM-12 PM, its afternoon 12-4 PM.
    shop_a.booking_settings.first_start, shop_a.booking_settings.last_start = (
        dt.time(9),
        dt.time(15),
    )
    shop_a.booking_settings.save()
    booking = BookingFactory(
        shop=shop_a,
        scheduled_date=dt.date(2027, 1, 5),
        scheduled_time=start,
        window="am" if start.hour < 12 else "pm",
        requested_time_slot=asked,
        duration_minutes=60,
    )

    [event] = icalendar.Calendar.from_ical(booking_ics(booking)).walk("VEVENT")

    starts, ends = (dt.datetime.combine(booking.scheduled_date, t, shop_a.tz) for t in window)
    assert (event.decoded("DTSTART"), event.decoded("DTEND")) == (starts, ends)
    assert str(event["DTSTART"].to_ical().decode()).endswith("Z"), "in UTC, no VTIMEZONE"


def test_commas_semicolons_and_long_lines_survive_the_round_trip(shop_a):
    address = "Apt 4; Building C, 1234 Very Long Avenue Name That Goes On, Lancaster CA 93534 ☎"
    booking = BookingFactory(shop=shop_a, address=address)

    text = booking_ics(booking)

    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert text.endswith("END:VCALENDAR\r\n")
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["LOCATION"]) == address


def test_a_cancelled_booking_is_a_cancelled_event(shop_a):
    booking = BookingFactory(shop=shop_a, status="cancelled")

    [event] = icalendar.Calendar.from_ical(booking_ics(booking)).walk("VEVENT")

    assert str(event["STATUS"]) == "CANCELLED"


# What booking_ics writes and nothing else: a typed value must never add a property.
EVENT_PROPERTIES = {
    "UID",
    "DTSTAMP",
    "SEQUENCE",
    "DTSTART",
    "DTEND",
    "SUMMARY",
    "LOCATION",
    "DESCRIPTION",
    "STATUS",
}


@pytest.mark.parametrize(
    "address",
    [
        "1 Main St\rSTATUS:CANCELLED",
        "1 Main St\nATTENDEE:mailto:evil@example.com",
        "1 Main St\r\nDTSTART:20000101T000000Z",
        "1 Main St;X-INJECTED=1:x,y\\n",
        "1 Main St\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nSUMMARY:Free repair",
    ],
)
def test_a_typed_value_cannot_add_a_property_to_the_event(shop_a, address):
    # The doors refuse line breaks in an address; a row written before they did, or by a
    # future door, still cannot reach the customer's calendar as anything but text.
    booking = BookingFactory(shop=shop_a, address=address, appliance_type="Fridge\r;SUMMARY:x,y")

    calendar = icalendar.Calendar.from_ical(booking_ics(booking))

    [event] = calendar.walk("VEVENT")
    assert set(event) == EVENT_PROPERTIES
    assert str(event["STATUS"]) == "CONFIRMED"
    # Every line ending becomes one escaped newline; ";", "," and "\" come back as typed.
    assert str(event["LOCATION"]) == address.replace("\r\n", "\n").replace("\r", "\n")
    assert str(event["SUMMARY"]) == f"Fridge\n;SUMMARY:x,y repair - {shop_a.name}"
    assert set(calendar) == {"VERSION", "PRODID", "CALSCALE", "METHOD"}


def test_control_characters_rfc_5545_text_cannot_hold_are_left_out(shop_a):
    # Built, not saved: PostgreSQL cannot even store the NUL.
    booking = BookingFactory.build(shop=shop_a, address="1 Main\x00 St\x0b\x1b[2J, Lancaster")

    text = booking_ics(booking)

    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["LOCATION"]) == "1 Main St[2J, Lancaster"
    assert not any(ch in text for ch in "\x00\x0b\x1b")
