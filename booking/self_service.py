"""The customer's self-service link: a signed booking id, and the times it can move to."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.urls import reverse

from booking import slots
from booking.models import Booking, SlotCounter

# A salt of its own, so no other signed value of this site can pass for a booking link.
SALT = "booking.self-service"
# How many days with open start times the reschedule page offers, and how far it looks.
DAYS_OFFERED = 5
DAYS_SEARCHED = 31


def booking_token(booking: Booking) -> str:
    return signing.Signer(salt=SALT).sign(booking.pk.hex)


def booking_link(booking: Booking) -> str:
    """The absolute self-service address that goes into e-mails."""
    return settings.SITE_URL + reverse("booking-self-service", args=[booking_token(booking)])


def booking_for_token(token: str) -> Booking | None:
    """The booking a link names, or None when the link is forged, altered or past its use.

    A link works until the end of the appointment's day on the shop's clock: after that there is
    nothing left to change, and an old link in a forwarded e-mail should reveal nothing.
    """
    try:
        booking_id = uuid.UUID(hex=signing.Signer(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
    booking = Booking.objects.select_related("shop").filter(pk=booking_id).first()
    if booking is None or booking.scheduled_date < booking.shop.today():
        return None
    return booking


def can_change(booking: Booking) -> bool:
    """Whether the customer may still cancel or move the booking themselves."""
    return (
        booking.status in (Booking.Status.SCHEDULED, Booking.Status.CONFIRMED)
        and booking.starts_at > booking.shop.now()
    )


@dataclass(frozen=True)
class OpenDay:
    date: dt.date
    starts: list[dt.time]


def open_days(booking: Booking, *, days: int = DAYS_OFFERED) -> list[OpenDay]:
    """The next days with start times that have a free seat, the booking's own excluded."""
    shop = booking.shop
    booking_settings = shop.booking_settings
    schedule = booking_settings.schedule()
    now = shop.now()
    last = min(
        now.date() + dt.timedelta(days=DAYS_SEARCHED), schedule.last_bookable_date(now.date())
    )
    full = set(
        SlotCounter.objects.filter(
            shop=shop,
            date__range=(now.date(), last),
            booked__gte=booking_settings.jobs_per_slot,
        ).values_list("date", "start_time")
    )
    found: list[OpenDay] = []
    day = now.date()
    while day <= last and len(found) < days:
        starts = [
            start
            for start in slots.open_start_times(schedule, day, now)
            if (day, start) not in full
            and (day, start) != (booking.scheduled_date, booking.scheduled_time)
        ]
        if starts:
            found.append(OpenDay(day, starts))
        day += dt.timedelta(days=1)
    return found
