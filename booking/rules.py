"""The checks a request passes before it takes room: the service area, the day, and the
start times it may land on, best first. Each refuses with a BookingError that
booking.refusals words for the door; booking.services calls them before its transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from booking import refusals, slots
from booking.addresses import zip_code_of
from booking.availability import schedule_of
from booking.errors import BookingError, NoAvailability, SlotFull
from tenants.models import Shop


def check_service_area(zip_codes: list[str], address: str) -> None:
    """Refuse an address whose ZIP code is not in the shop's service area (if it has one)."""
    if not zip_codes:
        return
    zip_code = zip_code_of(address)
    if not zip_code:
        raise BookingError(refusals.NO_ZIP_CODE, code="outside_service_area", field="address")
    if zip_code not in zip_codes:
        raise BookingError(
            refusals.OUTSIDE_SERVICE_AREA,
            code="outside_service_area",
            field="address",
            zip_code=zip_code,
        )


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
    """Refuse a day the shop takes no booking on at all."""
    reason = slots.day_closed_reason(schedule, day, today)
    if reason:
        raise day_refused(reason, schedule, day, today)


def start_order(
    schedule: slots.Schedule, slot_request: slots.SlotRequest, now: dt.datetime
) -> list[dt.time]:
    """The day's open starts to try, best first; refused when the request cannot be met."""
    try:
        first, last = slots.anchor_range(schedule, slot_request.window, slot_request.time)
    except ValueError:
        raise BookingError(
            refusals.OUTSIDE_HOURS,
            field="time_slot",
            first_start=schedule.first_start,
            last_start=schedule.last_start,
        ) from None
    open_starts = slots.open_start_times(schedule, slot_request.date, now)
    order = slots.preference_order(open_starts, first, last)
    if not order:
        raise day_refused(refusals.TOO_SOON, schedule, slot_request.date, now.date())
    return order


def _exact_start(schedule: slots.Schedule, day: dt.date, start: dt.time, now) -> list[dt.time]:
    if start not in schedule.start_times():
        raise BookingError(refusals.NOT_A_START_TIME, field="scheduled_time", start=start)
    if start not in slots.open_start_times(schedule, day, now):
        raise BookingError(
            refusals.START_TOO_SOON, code="too_soon", field="scheduled_time", start=start, day=day
        )
    return [start]


def window_full(day: dt.date, window: str) -> NoAvailability:
    return NoAvailability(refusals.WINDOW_FULL, field="scheduled_date", day=day, window=window)


def move_order(shop: Shop, day: dt.date, start: dt.time | None, window: str) -> list[dt.time]:
    """The starts a move may land on, best first: the exact one, or the open ones of `window`."""
    schedule = schedule_of(shop.booking_settings)
    now = shop.now()
    check_day(schedule, day, now.date())
    if not window:
        return _exact_start(schedule, day, start, now)
    order = [s for s in slots.open_start_times(schedule, day, now) if slots.window_of(s) == window]
    if not order:
        raise window_full(day, window)
    return order


@dataclass(frozen=True)
class MoveTarget:
    """Where a move goes: the starts to try on `day`, best first; whether a booking is there
    already; the request to keep (None keeps the booking's); the refusal when all are full."""

    day: dt.date
    order: list[dt.time]
    arrived: Callable[[object], bool]
    requested: str | None
    full: Callable[[str, str, int], BookingError]  # (room's full reason, appliance, minutes)


def move_target(
    shop: Shop,
    new_date: dt.date | None,
    new_time: dt.time | None,
    new_window: str,
    slot_request: slots.SlotRequest | None,
) -> MoveTarget:
    """An exact start, the earliest with room in a window, or a slot request placed as a new
    booking would be (its window or time first, then later starts, then earlier ones)."""
    if slot_request is not None:
        schedule = schedule_of(shop.booking_settings)
        now, day = shop.now(), slot_request.date
        check_day(schedule, day, now.date())
        order = start_order(schedule, slot_request, now)
        first, last = slots.anchor_range(schedule, slot_request.window, slot_request.time)
        return MoveTarget(
            day,
            order,
            arrived=lambda b: b.scheduled_date == day and first <= b.scheduled_time <= last,
            requested=slot_request.label,
            full=lambda *_: day_refused(refusals.FULL, schedule, day, shop.today()),
        )
    if new_date is None or not (new_time or new_window):
        raise TypeError("a move takes new_date and new_time or new_window, or a slot_request")
    order = move_order(shop, new_date, new_time, new_window)
    if new_window:
        return MoveTarget(
            new_date,
            order,
            arrived=lambda b: (b.scheduled_date, b.window) == (new_date, new_window),
            # Moved by window, the customer is promised that window from now on.
            requested=new_window,
            full=lambda *_: window_full(new_date, new_window),
        )
    return MoveTarget(
        new_date,
        order,
        arrived=lambda b: (b.scheduled_date, b.scheduled_time) == (new_date, new_time),
        requested=None,
        full=lambda reason, appliance, minutes: SlotFull(
            reason,
            field="scheduled_time",
            start=new_time,
            day=new_date,
            appliance=appliance,
            minutes=minutes,
        ),
    )
