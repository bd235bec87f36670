"""Where a booking goes: the start times to try, best first, or the refusal that says why
there are none. For a new booking (booking_create) and each way a booking can be moved
(booking_reschedule); booking.services then takes the first seat it can, in that order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from booking import refusals, slots
from booking.availability import schedule_of
from booking.models import Booking
from booking.refusals import BookingError, NoAvailability, SlotFull


def day_refused(reason: str, schedule: slots.Schedule, day: dt.date, today: dt.date):
    """The refusal of a whole day: a day gone or too far ahead is a bad input, else no room."""
    error = BookingError if reason in (refusals.PAST, refusals.BEYOND_HORIZON) else NoAvailability
    return error(
        reason,
        field="scheduled_date",
        day=day,
        today=today,
        last_day=schedule.last_bookable_date(today),
    )


def check_day(schedule: slots.Schedule, day: dt.date, today: dt.date) -> None:
    reason = slots.day_closed_reason(schedule, day, today)
    if reason:
        raise day_refused(reason, schedule, day, today)


def _exact_start(schedule: slots.Schedule, day: dt.date, start: dt.time, now) -> list[dt.time]:
    if start not in schedule.start_times():
        raise BookingError(refusals.NOT_A_START_TIME, field="scheduled_time", start=start)
    if start not in slots.open_start_times(schedule, day, now):
        raise BookingError(
            refusals.START_TOO_SOON, code="too_soon", field="scheduled_time", start=start, day=day
        )
    return [start]


def _window_full(day: dt.date, window: str) -> NoAvailability:
    return NoAvailability(refusals.WINDOW_FULL, field="scheduled_date", day=day, window=window)


def starts_for(schedule: slots.Schedule, request: slots.SlotRequest, now: dt.datetime):
    """The starts booking_create would try for `request`, best first, and the asked-for range."""
    check_day(schedule, request.date, now.date())
    try:
        first, last = slots.anchor_range(schedule, request.window, request.time)
    except ValueError:
        raise BookingError(
            refusals.OUTSIDE_HOURS,
            field="time_slot",
            first_start=schedule.first_start,
            last_start=schedule.last_start,
        ) from None
    order = slots.preference_order(slots.open_start_times(schedule, request.date, now), first, last)
    if not order:
        raise day_refused(refusals.TOO_SOON, schedule, request.date, now.date())
    return order, (first, last)


@dataclass(frozen=True)
class MoveTarget:
    """Where a move goes: the starts to try on `day`, best first, and how to tell it is there."""

    day: dt.date
    order: list[dt.time]
    arrived: Callable[[Booking], bool]  # already where it was asked to be
    full: Callable[[], BookingError]
    requested: str | None = None  # the request to keep, for `reassigned`; None keeps the old


def move_target(shop, new_date, new_time, new_window, slot_request) -> MoveTarget:
    schedule = schedule_of(shop.booking_settings)
    now = shop.now()
    if slot_request is not None:
        order, (first, last) = starts_for(schedule, slot_request, now)
        day = slot_request.date
        return MoveTarget(
            day,
            order,
            arrived=lambda b: b.scheduled_date == day and first <= b.scheduled_time <= last,
            full=lambda: day_refused(refusals.FULL, schedule, day, shop.today()),
            requested=slot_request.label,
        )
    if new_date is None or not (new_time or new_window):
        raise TypeError("booking_reschedule takes new_date and new_time or new_window")
    check_day(schedule, new_date, now.date())
    if new_window:
        open_starts = slots.open_start_times(schedule, new_date, now)
        order = [start for start in open_starts if slots.window_of(start) == new_window]
        if not order:
            raise _window_full(new_date, new_window)
        return MoveTarget(
            new_date,
            order,
            arrived=lambda b: (b.scheduled_date, b.window) == (new_date, new_window),
            full=lambda: _window_full(new_date, new_window),
            # Moved by window, the customer is promised that window from now on.
            requested=new_window,
        )
    return MoveTarget(
        new_date,
        _exact_start(schedule, new_date, new_time, now),
        arrived=lambda b: (b.scheduled_date, b.scheduled_time) == (new_date, new_time),
        full=lambda: SlotFull(
            refusals.START_FULL, field="scheduled_time", start=new_time, day=new_date
        ),
    )
