"""A booking taken by phone: the add page's start times with the seats each has left, and the
caller's earlier bookings.

The add form renders both on the server, so a form sent back with an error shows them without
JavaScript; static/js/admin-phone-booking.js asks the two small views below again as the
dispatcher types the date or the phone number. Both are scoped like every bookings page: a shop
that is not the user's is a 404, and another shop's bookings are never listed.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.urls import path
from django.utils.dateformat import time_format

from booking import refusals, slots
from booking.admin.shops import shop_for_request
from booking.availability import schedule_of, start_seats
from booking.inputs import clock, window_options
from booking.models import Booking
from booking.phones import normalise_phone, spoken_phone
from booking.services import BookingError
from technicians.models import Technician
from tenants.models import Shop

EARLIER_SHOWN = 10
EARLIER_TEMPLATE = "admin/booking/booking/snippets/earlier_bookings.html"
FIRST_FREE = ("", "First free time")
TOO_SOON = "too soon (minimum notice)"
FULL_MOVES_ON = "A full choice moves to the next start with room that day."
NO_DATE_YET = f"Pick the date to see the seats left at each start time. {FULL_MOVES_ON}"


# --- What the add form shows ----------------------------------------------------------------


def parse_day(text) -> dt.date | None:
    """The date typed into the form (YYYY-MM-DD, as the date input sends it), or None."""
    if isinstance(text, dt.date):
        return text
    try:
        return dt.date.fromisoformat(str(text or "").strip())
    except ValueError:
        return None


def _seats_words(left: int, capacity: int | None = None) -> str:
    if left <= 0:
        return "full"
    return f"{left} of {capacity} seats left" if capacity else f"{left} seats left"


def _technician_words(left: int, *, at_one_start: bool = True) -> str:
    """A shop with technicians: who is free at a start; a window or a day has room or not
    (a sum of free technicians over its starts would count each of them many times)."""
    if left <= 0:
        return "full"
    if not at_one_start:
        return "room"
    return f"{left} technician{'s' if left != 1 else ''} free"


def start_time_options(shop: Shop, day: dt.date | None) -> tuple[list[tuple[str, str]], str]:
    """The start-time choices with the seats each has left on `day`, and a note on the day.

    Every window and start of the shop is a choice, so what the booking service refuses it
    words itself (a closed day, a start sooner than the minimum notice); the labels say it first.
    """
    booking_settings = shop.booking_settings
    windows = [
        (w.value, f"{w.title} ({clock(w.first_arrival)}-{clock(w.end)})")
        for w in window_options(booking_settings)
    ]
    starts = [(s, time_format(s, "g:i A")) for s in slots.start_times_of(booking_settings)]
    if day is None:
        return [FIRST_FREE, *windows, *[(f"{s:%H:%M}", label) for s, label in starts]], NO_DATE_YET
    (seats,) = start_seats(shop, day, day)
    if not seats.starts:
        note = _closed_note(shop, day, seats.closed_reason)
        return [FIRST_FREE, *windows, *[(f"{s:%H:%M}", label) for s, label in starts]], note
    left = {seat.start: seat.seats_left for seat in seats.starts}
    if Technician.objects.active().filter(shop=shop).exists():
        at_start = _technician_words
        in_window = partial(_technician_words, at_one_start=False)
    else:
        at_start = partial(_seats_words, capacity=booking_settings.jobs_per_start_time)
        in_window = _seats_words
    return [
        FIRST_FREE,
        *[(value, f"{label} · {in_window(seats.seats_left(value))}") for value, label in windows],
        *[
            (f"{s:%H:%M}", f"{label} · {at_start(left[s]) if s in left else TOO_SOON}")
            for s, label in starts
        ],
    ], f"{_day_words(day)}: {in_window(seats.seats_left())} that day. {FULL_MOVES_ON}"


def _day_words(day: dt.date) -> str:
    return f"{day:%a %b} {day.day}"


def _closed_note(shop: Shop, day: dt.date, reason: str) -> str:
    """Why `day` offers no start time, in the words the form's refusal would use."""
    today = shop.today()
    last_day = schedule_of(shop.booking_settings).last_bookable_date(today)
    refusal = BookingError(reason, day=day, today=today, last_day=last_day)
    return refusals.for_dispatcher(refusal) + "."


def earlier_bookings(shop: Shop, phone: str) -> tuple[str, list[Booking]]:
    """(the number as stored, the shop's bookings for it, latest first); ("", []) while the
    typed text is not yet a whole phone number."""
    try:
        number = normalise_phone(phone or "")
    except ValueError:
        return "", []
    found = (
        Booking.objects.live()
        .filter(shop=shop, phone=number)
        .order_by("-scheduled_date", "-scheduled_time")
    )
    return number, list(found[:EARLIER_SHOWN])


def earlier_bookings_html(shop: Shop | None, phone: str) -> str:
    """The earlier-bookings box under the phone field (empty without a shop or a number)."""
    number, bookings = earlier_bookings(shop, phone) if shop else ("", [])
    context = {
        "number": spoken_phone(number) if number else "",
        "bookings": bookings,
        "shown": EARLIER_SHOWN,
    }
    return render_to_string(EARLIER_TEMPLATE, context)


# --- The two views the add page's script asks -----------------------------------------------


class PhoneBookingPages:
    """Mixin for the bookings' ModelAdmin: the add page's start times and earlier bookings."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("add/times/", wrap(self.add_times_view), name="booking_booking_add_times"),
            path("add/earlier/", wrap(self.add_earlier_view), name="booking_booking_add_earlier"),
            *super().get_urls(),
        ]

    def add_times_view(self, request):
        """GET ?shop=&date=: the start-time choices with their seats, and the day's note."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        shop = shop_for_request(request, self)
        choices, note = start_time_options(shop, parse_day(request.GET.get("date")))
        return JsonResponse({"choices": choices, "note": note})

    def add_earlier_view(self, request):
        """GET ?shop=&phone=: the caller's earlier bookings at that shop, as the box's HTML."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        shop = shop_for_request(request, self)
        return HttpResponse(earlier_bookings_html(shop, request.GET.get("phone", "")))
