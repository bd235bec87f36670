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
from django.utils.dateformat import time_format

# Without a duration on the booking, the calendar shows the technician's arrival hour.
DEFAULT_DURATION = dt.timedelta(hours=1)


def _text(value: str) -> str:
    # A bare CR is a line end to lenient calendar readers; RFC 5545 TEXT holds no controls.
    text = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if c == "\n" or unicodedata.category(c) != "Cc")


def booking_ics(booking) -> str:
    """A VCALENDAR with one VEVENT for the booking's appointment (CRLF line endings)."""
    shop = booking.shop
    starts = booking.starts_at
    ends = starts + (
        dt.timedelta(minutes=booking.duration_minutes)
        if booking.duration_minutes
        else DEFAULT_DURATION
    )
    description = [
        f"{booking.appliance_type} repair by {shop.name}.",
        f"Technician arrives at {time_format(starts, 'g:i A')}, {booking.window_label()} window.",
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
    event.add("summary", _text(f"{booking.appliance_type} repair - {shop.name}"))
    event.add("location", _text(booking.address))
    event.add("description", _text("\n".join(description)))
    event.add("status", "CANCELLED" if booking.is_cancelled else "CONFIRMED")

    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//ApplianceOps//Bookings//EN")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add_component(event)
    return calendar.to_ical().decode()
