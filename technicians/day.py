"""A technician's day: their jobs in order, and the two things they do from the day page.

"On my way" writes the customer's e-mail to the outbox; "Done" completes the job through
booking_set_status, which gives its seat and the technician's time back. Both act only on the
technician's own jobs: a job id from another technician's day, or another shop, is not found.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.dateformat import time_format

from booking import notifications, refusals
from booking.models import Booking, Notification
from booking.services import BookingError, booking_set_status
from technicians.models import Technician

# A second tap of On my way this soon is a double tap, not news for the customer.
TELL_AGAIN_AFTER = dt.timedelta(minutes=10)
# Jobs the day page lists: still to do, and done (so the technician sees what they finished).
SHOWN = (*Booking.SEAT_HOLDING, Booking.Status.COMPLETED)


class JobRefused(Exception):
    """What the technician is told when a tap cannot do what it says."""


@dataclass(frozen=True)
class DayNav:
    day: dt.date
    today: dt.date

    @property
    def previous(self) -> dt.date:
        return self.day - dt.timedelta(days=1)

    @property
    def next(self) -> dt.date:
        return self.day + dt.timedelta(days=1)

    @property
    def is_today(self) -> bool:
        return self.day == self.today


def day_jobs(technician: Technician, day: dt.date) -> list[Booking]:
    """The technician's jobs on `day` by start, each with `on_my_way_at`: when they last
    told the customer they were coming (None: not yet)."""
    told = Q(notifications__kind=Notification.Kind.ON_MY_WAY)
    return list(
        # live(): a partner's test booking is nobody's job.
        Booking.objects.live()
        .filter(
            technician=technician, scheduled_date=day, status__in=SHOWN, shop=technician.shop_id
        )
        .select_related("shop__booking_settings")
        .annotate(on_my_way_at=Max("notifications__created_at", filter=told))
        .order_by("scheduled_time", "created_at")
    )


def job_of(technician: Technician, booking_id: uuid.UUID) -> Booking | None:
    """One of the technician's own jobs, or None."""
    return (
        Booking.objects.live()
        .select_related("shop__booking_settings")
        .filter(pk=booking_id, technician=technician, shop=technician.shop_id)
        .first()
    )


def can_finish(booking: Booking) -> bool:
    """A job can be marked done from its day on (not for a day still to come)."""
    return booking.holds_seat and booking.scheduled_date <= booking.shop.today()


def job_on_my_way(*, technician: Technician, booking: Booking) -> Notification:
    """E-mail the customer that `technician` is coming; JobRefused says why not."""
    with transaction.atomic():
        # Locked and re-read: a double tap waits here, then sees the first tap's e-mail, and a
        # job cancelled or given to another meanwhile is refused on what it is now.
        current = (
            Booking.objects.select_for_update(no_key=True, of=("self",))
            .select_related("shop")
            .get(pk=booking.pk)
        )
        _check_theirs(technician, current)
        if not current.holds_seat:
            raise JobRefused("This job is done or cancelled: nobody was e-mailed.")
        if current.scheduled_date != current.shop.today():
            # A tap on tomorrow's job by mistake would send a customer waiting for nobody.
            raise JobRefused("This job is not today's: the customer was not e-mailed.")
        if not current.email:
            raise JobRefused(f"{current.customer_name} gave no e-mail address: call them instead.")
        told = current.notifications.filter(
            kind=Notification.Kind.ON_MY_WAY, created_at__gte=timezone.now() - TELL_AGAIN_AFTER
        ).first()
        if told is not None:
            at = time_format(told.created_at.astimezone(current.shop.tz), "g:i A")
            raise JobRefused(f"{current.customer_name} was told at {at} already.")
        (notification,) = notifications.queue_on_my_way(current, technician=technician)
    return notification


def job_done(*, technician: Technician, booking: Booking) -> Booking:
    """Complete the job (its seat and the technician's time are given back)."""
    _check_theirs(technician, booking)
    if booking.holds_seat and not can_finish(booking):
        raise JobRefused("This job is on a day still to come: it can be marked done that day.")
    try:
        return booking_set_status(booking=booking, status=Booking.Status.COMPLETED)
    except BookingError as exc:
        raise JobRefused(refusals.for_dispatcher(exc)) from exc


def _check_theirs(technician: Technician, booking: Booking) -> None:
    if booking.technician_id != technician.pk:
        raise JobRefused("This job is not on your day any more.")
