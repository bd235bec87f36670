"""Telling technicians when their day changes: a job added, moved or taken off today or tomorrow.

Every write of a booking that can change whose day it is on, or when, goes through
booking/services.py (create, cancel, reschedule, assign), and each of those calls
`queue_day_change` with the booking as it was (locked and re-read) and as it is, inside its
transaction. The e-mails are outbox rows (booking/notifications.py): a rolled-back change
leaves none and sends nothing. Only today and tomorrow on the shop's clock count: a technician
reads next week's jobs on their day page and calendar feed; a change there is no news to
interrupt them with.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from booking import notifications
from booking.models import Booking, Notification

Kind = Notification.Kind


class Spot(NamedTuple):
    """Where a job sits on a technician's day."""

    technician_id: int
    day: dt.date
    start: dt.time


def spot_of(booking: Booking | None) -> Spot | None:
    """The job's place on a technician's day, or None when it is on nobody's."""
    if booking is None or not booking.holds_seat or booking.technician_id is None:
        return None
    return Spot(booking.technician_id, booking.scheduled_date, booking.scheduled_time)


def queue_day_change(*, was: Booking | None, now: Booking) -> None:
    """E-mail the technicians whose today or tomorrow the change touches; inside the change's
    transaction. `was` is the booking before the change (None: just created).

    A reassign tells both: the old technician it is off their day, the new one it is on.
    """
    before, after = spot_of(was), spot_of(now)
    if before == after:
        return
    today = now.shop.today()
    soon = {today, today + dt.timedelta(days=1)}
    if before and after and before.technician_id == after.technician_id:
        if before.day in soon or after.day in soon:
            _queue(now, Kind.TECHNICIAN_MOVED, now.technician, after)
        return
    if before and before.day in soon:
        _queue(now, Kind.TECHNICIAN_REMOVED, was.technician, before)
    if after and after.day in soon:
        _queue(now, Kind.TECHNICIAN_ADDED, now.technician, after)


def _queue(booking: Booking, kind: str, technician, spot: Spot) -> None:
    notifications.queue_for_technician(
        booking, kind=kind, technician=technician, day=spot.day, start=spot.start
    )
