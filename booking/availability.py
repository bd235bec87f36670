"""Which days and start times of a shop still have room: read-only, for pages that offer times.

Three queries whatever the number of bookings (the shop's settings when not already loaded,
its blackout dates, and the seat counters of the range); the rules themselves are the pure
functions of booking/slots.py, so a page offers exactly what booking_create would take.

Two views of the same computation: `start_seats` gives every start time with the seats it has
left (for pages that let one pick a time), `shop_availability` sums that up per day and window.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from booking import slots
from booking.models import SeatCounter
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
    shop: Shop, first: dt.date, last: dt.date, *, now: dt.datetime | None = None
) -> list[DaySeats]:
    """One entry per day from `first` to `last` inclusive, in order, with its start times."""
    booking_settings = shop.booking_settings
    schedule = schedule_of(booking_settings)
    capacity = booking_settings.jobs_per_start_time
    now = now or shop.now()
    booked = {
        (row["date"], row["start_time"]): row["booked"]
        for row in SeatCounter.objects.filter(shop=shop, date__gte=first, date__lte=last).values(
            "date", "start_time", "booked"
        )
    }
    # Counted, not stepped past `last`: the day after 9999-12-31 does not exist.
    return [
        _day(schedule, first + dt.timedelta(days=offset), now, capacity, booked)
        for offset in range((last - first).days + 1)
    ]


def shop_availability(
    shop: Shop, first: dt.date, last: dt.date, *, now: dt.datetime | None = None
) -> list[DayAvailability]:
    """One entry per day from `first` to `last` inclusive, in order."""
    return [
        DayAvailability(
            day.date,
            day.closed_reason,
            am=day.seats_left(slots.AM) > 0,
            pm=day.seats_left(slots.PM) > 0,
        )
        for day in start_seats(shop, first, last, now=now)
    ]


def _day(
    schedule: slots.Schedule,
    day: dt.date,
    now: dt.datetime,
    capacity: int,
    booked: dict[tuple[dt.date, dt.time], int],
) -> DaySeats:
    reason = slots.day_closed_reason(schedule, day, now.date())
    if reason:
        return DaySeats(day, reason, ())
    starts = tuple(
        StartSeats(start, max(capacity - booked.get((day, start), 0), 0))
        for start in slots.open_start_times(schedule, day, now)
    )
    if not starts:
        return DaySeats(day, TOO_SOON, starts)
    return DaySeats(day, "" if any(seat.seats_left for seat in starts) else FULL, starts)
