"""An appointment as an iCalendar (RFC 5545) file, for "Add to calendar". Pure."""

from __future__ import annotations

import datetime as dt

from booking.models import Booking

PRODID = "-//ApplianceOps//Booking//EN"


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Lines longer than 75 octets continue on the next line after a space (RFC 5545 3.1)."""
    encoded = line.encode()
    if len(encoded) <= 75:
        return line
    parts, start, limit = [], 0, 75
    while start < len(encoded):
        end = min(start + limit, len(encoded))
        # Never cut a UTF-8 character in two.
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:
            end -= 1
        parts.append(encoded[start:end].decode())
        start, limit = end, 74
    return "\r\n ".join(parts)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def booking_ics(booking: Booking, *, duration: dt.timedelta) -> str:
    """A one-event calendar for the booking.

    Times are written in UTC (converted from the shop's wall clock), which every calendar reads
    without a VTIMEZONE block and shows in the customer's own zone.
    """
    shop = booking.shop
    starts = booking.starts_at
    phone = shop.phone.as_national if shop.phone else ""
    description = [
        f"Arrival window: {booking.window_label()}, from {starts:%H:%M}.",
        f"Appliance: {booking.appliance_type}.",
        f"Booking reference: {booking.reference}.",
    ]
    if phone:
        description.append(f"Questions or changes: call {shop.name} at {phone}.")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{booking.pk}@applianceops",
        f"DTSTAMP:{_utc(booking.created_at)}",
        f"DTSTART:{_utc(starts)}",
        f"DTEND:{_utc(starts + duration)}",
        f"SUMMARY:{_escape(f'{booking.appliance_type} repair: {shop.name}')}",
        f"LOCATION:{_escape(booking.address)}",
        f"DESCRIPTION:{_escape(chr(10).join(description))}",
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return "".join(_fold(line) + "\r\n" for line in lines)
