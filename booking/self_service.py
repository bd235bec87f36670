"""The customer's self-service link: a signed booking id, and the times it can move to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from booking import tokens
from booking.availability import start_seats
from booking.capacity import Need
from booking.models import Booking

# A salt of its own, so no other signed value of this site can pass for a booking link.
SALT = "booking.self-service"
# How many days with open start times the reschedule page offers, and how far it looks.
DAYS_OFFERED = 5
DAYS_SEARCHED = 31


def self_service_token(booking: Booking) -> str:
    return tokens.sign_booking_id(booking.pk, salt=SALT)


def booking_link(booking: Booking) -> str:
    """The absolute self-service address that goes into e-mails."""
    return settings.SITE_URL + reverse("booking-self-service", args=[self_service_token(booking)])


def booking_for_token(token: str) -> Booking | None:
    """The booking a link names, or None when the link is forged, altered or past its use.

    A link works until the end of the appointment's day on the shop's clock: after that there is
    nothing left to change, and an old link in a forwarded e-mail should reveal nothing.
    """
    booking_id = tokens.unsign_booking_id(token, salt=SALT)
    if booking_id is None:
        return None
    booking = Booking.objects.select_related("shop").filter(pk=booking_id).first()
    if booking is None or booking.scheduled_date < booking.shop.today():
        return None
    return booking


def can_change(booking: Booking) -> bool:
    """Whether the customer may still cancel or move the booking themselves."""
    return booking.holds_seat and booking.starts_at > booking.shop.now()


@dataclass(frozen=True)
class OpenDay:
    date: dt.date
    starts: list[dt.time]


def open_days(booking: Booking, *, days: int = DAYS_OFFERED) -> list[OpenDay]:
    """The next days with start times that have a free seat, the booking's own excluded.

    The shared availability (booking.availability) decides what is open, so this page offers
    exactly what the booking page, the portal and booking_reschedule would take: for this
    job's appliance and length, and with its own technician time left out.
    """
    now = booking.shop.now()
    last = now.date() + dt.timedelta(days=DAYS_SEARCHED)
    need = Need(booking.appliance_type, booking.job_minutes)
    found: list[OpenDay] = []
    seats = start_seats(booking.shop, now.date(), last, now=now, need=need, ignoring=booking)
    for day in seats:
        starts = [
            start
            for start in day.open_starts
            if (day.date, start) != (booking.scheduled_date, booking.scheduled_time)
        ]
        if starts:
            found.append(OpenDay(day.date, starts))
        if len(found) == days:
            break
    return found
