"""The customer's self-service link: a signed booking id, and the days it can move to."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from booking import slots, tokens
from booking.availability import shop_availability
from booking.capacity import Need
from booking.models import Booking

# A salt of its own, so no other signed value of this site can pass for a booking link.
SALT = "booking.self-service"


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
class MoveDay:
    """A day the visit can move to: which windows have room, as the booking page shows them,
    and the window the visit is in when it is that day's (moving there changes nothing)."""

    date: dt.date
    am: bool
    pm: bool
    own: str = ""

    def can_move_to(self, window: str) -> bool:
        return window != self.own and (self.am if window == slots.AM else self.pm)


@dataclass(frozen=True)
class MoveWeek:
    monday: dt.date
    days: list[MoveDay]  # its days with a window to move to, in order


def move_weeks(booking: Booking) -> list[MoveWeek]:
    """Every week from this one to the shop's horizon, with the days the visit can move to.

    The shared availability (booking.availability) decides what has room, so this page offers
    exactly what the booking page shows and what booking_reschedule takes: for this job's
    appliance and length, with its own technician time left out. A week with no room is kept
    (empty) so the customer sees it is full rather than missing.
    """
    shop = booking.shop
    now = shop.now()
    last = now.date() + dt.timedelta(days=shop.booking_settings.horizon_days)
    need = Need(booking.appliance_type, booking.job_minutes)
    weeks: list[MoveWeek] = []
    for day in shop_availability(shop, now.date(), last, now=now, need=need, ignoring=booking):
        monday = day.date - dt.timedelta(days=day.date.weekday())
        if not weeks or weeks[-1].monday != monday:
            weeks.append(MoveWeek(monday, []))
        own = booking.window if day.date == booking.scheduled_date else ""
        move_day = MoveDay(day.date, day.am, day.pm, own)
        if move_day.can_move_to(slots.AM) or move_day.can_move_to(slots.PM):
            weeks[-1].days.append(move_day)
    return weeks
