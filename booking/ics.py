"""An iCalendar (RFC 5545) event for a booking, for e-mail attachments and downloads.

Built with the `icalendar` library, which escapes every text value (backslash, `;`, `,` and
line breaks) and folds long lines at 75 octets as the RFC asks. Typed values are first made
TEXT the RFC allows (every line end one LF, no other control character), so whatever the
library version, a value the customer or a partner typed never starts a property of its own.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone

# Without a duration on a booking for an exact time, the calendar shows its arrival hour.
DEFAULT_DURATION = dt.timedelta(hours=1)


def ical_text(value: str) -> str:
    """`value` as RFC 5545 TEXT allows: one LF per line end, no other control character."""
    # A bare CR is a line end to lenient calendar readers; RFC 5545 TEXT holds no controls.
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")


def event_span(booking) -> tuple[dt.datetime, dt.datetime]:
    """The event's start and end: the arrival window the customer was promised, or for a
    booking made for an exact time, that time for the job's duration (or an hour)."""
    window = booking.promised_window()
    if window is not None:
        day, tz = booking.scheduled_date, booking.shop.tz
        return dt.datetime.combine(day, window[0], tz), dt.datetime.combine(day, window[1], tz)
    starts = booking.starts_at
    duration = booking.duration_minutes
    return starts, starts + (dt.timedelta(minutes=duration) if duration else DEFAULT_DURATION)


def booking_ics(booking) -> str:
    """A VCALENDAR with one VEVENT for the booking's appointment (CRLF line endings)."""
    shop = booking.shop
    starts, ends = event_span(booking)
    description = [
        f"{booking.appliance_type} repair by {shop.name}.",
        f"Technician arrives {booking.promised_arrival}.",
        f"Booking reference: {booking.reference}",
    ]
    if shop.phone:
        description.append(f"Questions: {shop.phone.as_national}")
    updated = booking.updated_at or timezone.now()
    host = urlsplit(settings.SITE_URL).hostname or "applianceops"

    event = icalendar.Event()
    event.add("uid", f"booking-{booking.pk}@{host}")
    # Times in UTC: no VTIMEZONE block needed, and every calendar shows them in its own zone.
    event.add("dtstamp", timezone.now().astimezone(dt.UTC))
    # A later SEQUENCE lets calendars replace the event after a reschedule.
    event.add("sequence", int(updated.timestamp()))
    event.add("dtstart", starts.astimezone(dt.UTC))
    event.add("dtend", ends.astimezone(dt.UTC))
    event.add("summary", ical_text(f"{booking.appliance_type} repair - {shop.name}"))
    event.add("location", ical_text(booking.address))
    event.add("description", ical_text("\n".join(description)))
    event.add("status", "CANCELLED" if booking.is_cancelled else "CONFIRMED")

    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//ApplianceOps//Bookings//EN")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical().decode()
