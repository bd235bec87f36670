from __future__ import annotations

import datetime as dt

import icalendar

from booking.ics import booking_ics
from booking.tests.factories import BookingFactory


def test_long_lines_are_folded_and_text_is_escaped_so_it_parses_back(shop_a):
    booking = BookingFactory(
        shop=shop_a,
        address="Apt 4; 1234 Very Long Boulevard, Suite \\ 5, Lancaster CA 93534 — côté jardin "
        * 2,
        scheduled_date=dt.date(2026, 12, 2),
        scheduled_time=dt.time(9, 0),
    )

    text = booking_ics(booking, duration=dt.timedelta(minutes=90))

    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["LOCATION"]) == booking.address
    assert event.decoded("DTSTART") == dt.datetime(2026, 12, 2, 17, 0, tzinfo=dt.UTC)
    assert event.decoded("DTEND") == dt.datetime(2026, 12, 2, 18, 30, tzinfo=dt.UTC)
    assert booking.reference in str(event["DESCRIPTION"])
    assert str(event["UID"]) == f"{booking.pk}@applianceops"
