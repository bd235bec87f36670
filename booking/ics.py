"""An iCalendar (RFC 5545) event for a booking, for e-mail attachments and downloads."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

# Without a duration on a booking for an exact time, the calendar shows its arrival hour.
DEFAULT_DURATION = dt.timedelta(hours=1)


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def _fold(line: str) -> str:
    """Split a content line into 75-octet pieces, never inside a UTF-8 character."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    pieces, current, limit = [], b"", 75
    for char in line:
        size = len(char.encode())
        if len(current) + size > limit:
            pieces.append(current.decode())
            current, limit = b"", 74  # continuation lines start with a space
        current += char.encode()
    pieces.append(current.decode())
    return "\r\n ".join(pieces)


def _utc(moment: dt.datetime) -> str:
    # UTC needs no VTIMEZONE block and every calendar shows it in the reader's own zone.
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


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
    host = urlsplit(settings.SITE_URL).hostname or "applianceops"
    description = [
        f"{booking.appliance_type} repair by {shop.name}.",
        f"Technician arrives {booking.promised_arrival}.",
        f"Booking reference: {booking.reference}",
    ]
    if shop.phone:
        description.append(f"Questions: {shop.phone.as_national}")
    status = "CANCELLED" if booking.is_cancelled else "CONFIRMED"
    updated = booking.updated_at or timezone.now()
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ApplianceOps//Bookings//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:booking-{booking.pk}@{host}",
        f"DTSTAMP:{_utc(timezone.now())}",
        # A later SEQUENCE lets calendars replace the event after a reschedule.
        f"SEQUENCE:{int(updated.timestamp())}",
        f"DTSTART:{_utc(starts)}",
        f"DTEND:{_utc(ends)}",
        f"SUMMARY:{_escape(f'{booking.appliance_type} repair - {shop.name}')}",
        f"LOCATION:{_escape(booking.address)}",
        f"DESCRIPTION:{_escape(chr(10).join(description))}",
        f"STATUS:{status}",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)
