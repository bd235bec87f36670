"""Which days and start times of a shop still have room: read-only, for pages that offer times.

The room itself comes from booking.capacity's `room()`, the same answer booking_create and
booking_reschedule take from; the day and notice rules are the pure functions of
booking/slots.py. So a page offers exactly what the engine would take. A constant number of
queries whatever the number of bookings: the shop's settings when not already loaded, its
blackout dates, its active technicians, and then the seat counters of the range, or (with
technicians) their shifts, time off and jobs of the range.

Two views of the same computation: `start_seats` gives every start time with the seats it has
left (for pages that let one pick a time), `shop_availability` sums that up per day and window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from booking import capacity, slots
from booking.models import Booking
from booking.refusals import FULL, TOO_SOON
from tenants.models import Shop


def schedule_of(booking_settings) -> slots.Schedule:
    """The shop's schedule with its blackout dates (one query unless they were prefetched)."""
    blackouts = [blackout.date for blackout in booking_settings.blackout_dates.all()]
    return slots.Schedule.of(booking_settings, blackouts=blackouts)


@dataclass(frozen=True)
class DayAvailability:
    date: dt.date
    closed_reason: str
    am: bool
    pm: bool

    @property
    def is_open(self) -> bool:
        return not self.closed_reason


@dataclass(frozen=True)
class StartSeats:
    start: dt.time
    seats_left: int

    @property
    def window(self) -> str:
        return slots.window_of(self.start)


@dataclass(frozen=True)
class DaySeats:
    """One day's start times past the minimum notice, full ones included with 0 seats left."""

    date: dt.date
    closed_reason: str
    starts: tuple[StartSeats, ...]

    @property
    def is_open(self) -> bool:
        return not self.closed_reason

    @property
    def open_starts(self) -> list[dt.time]:
        """The start times that can still take a booking."""
        return [seat.start for seat in self.starts if seat.seats_left > 0]

    def seats_left(self, window: str = "") -> int:
        """Free seats in `window` ("am", "pm" or "" for the whole day)."""
        return sum(seat.seats_left for seat in self.starts if window in ("", seat.window))

    @property
    def am_left(self) -> int:
        return self.seats_left(slots.AM)

    @property
    def pm_left(self) -> int:
        return self.seats_left(slots.PM)


def start_seats(
    shop: Shop,
    first: dt.date,
    last: dt.date,
    *,
    now: dt.datetime | None = None,
    need: capacity.Need | None = None,
    ignoring: Booking | None = None,
) -> list[DaySeats]:
    """One entry per day from `first` to `last` inclusive, in order, with its start times.

    `seats_left` is how many more jobs like `need` could start there: free seats, or free
    technicians. Without `need` the appliance is not known yet: any technician counts, for the
    shop's default job length. `ignoring` leaves a booking being moved out of the count of
    technicians' jobs.
    """
    booking_settings = shop.booking_settings
    schedule = schedule_of(booking_settings)
    now = now or shop.now()
    room = capacity.room(shop, first, last, need=need, ignoring=ignoring)
    # Counted, not stepped past `last`: the day after 9999-12-31 does not exist.
    return [
        _day(schedule, first + dt.timedelta(days=offset), now, room)
        for offset in range((last - first).days + 1)
    ]


def next_open_date(shop: Shop, first: dt.date, *, now: dt.datetime | None = None) -> dt.date | None:
    """The first day from `first` (or the shop's today, if later) up to the shop's horizon with
    a start time that can still be booked, or None when there is none."""
    now = now or shop.now()
    first = max(first, now.date())
    last = now.date() + dt.timedelta(days=shop.booking_settings.horizon_days)
    if first > last:
        return None
    return next(
        (day.date for day in start_seats(shop, first, last, now=now) if day.open_starts), None
    )


def shop_availability(
    shop: Shop,
    first: dt.date,
    last: dt.date,
    *,
    now: dt.datetime | None = None,
    need: capacity.Need | None = None,
    ignoring: Booking | None = None,
) -> list[DayAvailability]:
    """One entry per day from `first` to `last` inclusive, in order (`need` and `ignoring` as
    for start_seats)."""
    return [
        DayAvailability(
            day.date,
            day.closed_reason,
            am=day.seats_left(slots.AM) > 0,
            pm=day.seats_left(slots.PM) > 0,
        )
        for day in start_seats(shop, first, last, now=now, need=need, ignoring=ignoring)
    ]


def _day(schedule: slots.Schedule, day: dt.date, now: dt.datetime, room) -> DaySeats:
    reason = slots.day_closed_reason(schedule, day, now.date())
    if reason:
        return DaySeats(day, reason, ())
    starts = tuple(
        StartSeats(start, room.seats_left(day, start))
        for start in slots.open_start_times(schedule, day, now)
    )
    if not starts:
        return DaySeats(day, TOO_SOON, starts)
    return DaySeats(day, "" if any(seat.seats_left for seat in starts) else FULL, starts)
