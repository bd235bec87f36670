"""Bookings as a CSV file a shop opens in Excel: streamed, UTF-8 with a BOM, no formulas."""

from __future__ import annotations

import csv
import itertools

from django.http import StreamingHttpResponse
from django.utils import timezone

from booking.models import Booking

CSV_HEADER = [
    "reference",
    "date",
    "time",
    "window",
    "customer",
    "phone",
    "email",
    "address",
    "appliance",
    "issue",
    "source",
    "WO#",
    "claim #",
    "authorization #",
    "partner reference",
    "status",
    "channel",
    "shop",
    "booked at",
]


def _cell(value: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula; customers type these.
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def _csv_row(booking: Booking) -> list[str]:
    return [
        booking.reference,
        booking.scheduled_date.isoformat(),
        booking.scheduled_time.strftime("%H:%M"),
        booking.window.upper(),
        _cell(booking.customer_name),
        str(booking.phone),
        _cell(booking.email),
        _cell(booking.address),
        _cell(booking.appliance_type),
        _cell(booking.issue),
        _cell(booking.source),
        _cell(booking.work_order_number),
        _cell(booking.claim_number),
        _cell(booking.authorization_number),
        _cell(booking.partner_reference),
        booking.get_status_display(),
        booking.get_channel_display(),
        booking.shop.name,
        booking.created_at.astimezone(booking.shop.tz).strftime("%Y-%m-%d %H:%M"),
    ]


class _Echo:
    """A file for csv.writer that hands each line back instead of keeping it."""

    def write(self, value):
        return value


def csv_response(bookings) -> StreamingHttpResponse:
    """Stream rows as they are read, so a year of bookings does not sit in memory."""
    filename = f"bookings-{timezone.localtime():%Y%m%d-%H%M}.csv"
    writer = csv.writer(_Echo())
    rows = itertools.chain(
        [CSV_HEADER],
        (_csv_row(b) for b in bookings.select_related("shop").iterator(chunk_size=2000)),
    )
    # The byte-order mark is how Excel, the tool shops open this in, knows the file is UTF-8;
    # without it José Muñoz arrives as JosÃ© MuÃ±oz.
    lines = itertools.chain(["\ufeff"], (writer.writerow(row) for row in rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
