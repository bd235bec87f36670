"""Which days and windows of a shop still have room: read-only, for pages that offer times.

Three queries whatever the number of bookings (the shop's settings when not already loaded,
its blackout dates, and the seat counters of the range); the rules themselves are the pure
functions of booking/slots.py, so the page offers exactly what booking_create would take.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from booking import slots
from booking.models import SlotCounter
from tenants.models import Shop

# Why a day cannot be picked, beyond slots.day_closed_reason's own reasons.
GONE_BY_NOTICE = "notice"
FULL = "full"


@dataclass(frozen=True)
class DayAvailability:
    date: dt.date
    closed_reason: str
    am: bool
    pm: bool

    @property
    def is_open(self) -> bool:
        return not self.closed_reason

    def has_room(self, window: str) -> bool:
        """Whether `window` ("am", "pm" or "" for any time) still has a start with room."""
        if window == slots.AM:
            return self.am
        if window == slots.PM:
            return self.pm
        return self.am or self.pm


def shop_availability(
    shop: Shop, first: dt.date, last: dt.date, *, now: dt.datetime | None = None
) -> list[DayAvailability]:
    """One entry per day from `first` to `last` inclusive, in order."""
    booking_settings = shop.booking_settings
    schedule = booking_settings.schedule()
    capacity = booking_settings.jobs_per_slot
    now = now or shop.now()
    booked = {
        (row["date"], row["start_time"]): row["booked"]
        for row in SlotCounter.objects.filter(shop=shop, date__gte=first, date__lte=last).values(
            "date", "start_time", "booked"
        )
    }
    days = []
    day = first
    while day <= last:
        days.append(_day(schedule, day, now, capacity, booked))
        day += dt.timedelta(days=1)
    return days


def _day(
    schedule: slots.Schedule,
    day: dt.date,
    now: dt.datetime,
    capacity: int,
    booked: dict[tuple[dt.date, dt.time], int],
) -> DayAvailability:
    reason = slots.day_closed_reason(schedule, day, now.date())
    if reason:
        return DayAvailability(day, reason, am=False, pm=False)
    starts = slots.open_start_times(schedule, day, now)
    if not starts:
        return DayAvailability(day, GONE_BY_NOTICE, am=False, pm=False)
    with_room = [start for start in starts if booked.get((day, start), 0) < capacity]
    am = any(slots.window_of(start) == slots.AM for start in with_room)
    pm = any(slots.window_of(start) == slots.PM for start in with_room)
    return DayAvailability(day, "" if with_room else FULL, am=am, pm=pm)


# --- Seats left at each start time (the partner portal) -----------------------------------
# A separate block: shop_availability above answers "which windows have room" for the public
# page; partner agents also want to see how many seats each start time has left. The day's
# verdict still comes from _day, so the portal and the page never disagree about a day.


@dataclass(frozen=True)
class StartSeats:
    start: dt.time
    seats_left: int

    @property
    def window(self) -> str:
        return slots.window_of(self.start)


@dataclass(frozen=True)
class DaySeats:
    """One day's availability, with the seats left at each start time not gone by notice."""

    availability: DayAvailability
    starts: list[StartSeats]

    @property
    def date(self) -> dt.date:
        return self.availability.date

    def seats_left(self, window: str) -> int:
        return sum(start.seats_left for start in self.starts if start.window == window)

    @property
    def am_left(self) -> int:
        return self.seats_left(slots.AM)

    @property
    def pm_left(self) -> int:
        return self.seats_left(slots.PM)


def shop_seats(
    shop: Shop, first: dt.date, last: dt.date, *, now: dt.datetime | None = None
) -> list[DaySeats]:
    """One entry per day from `first` to `last` inclusive; as many queries as shop_availability."""
    booking_settings = shop.booking_settings
    schedule = booking_settings.schedule()
    capacity = booking_settings.jobs_per_slot
    now = now or shop.now()
    taken = {
        (day, start): booked
        for day, start, booked in SlotCounter.objects.filter(
            shop=shop, date__range=(first, last)
        ).values_list("date", "start_time", "booked")
    }
    return [
        DaySeats(
            availability=_day(schedule, day, now, capacity, taken),
            starts=[
                StartSeats(start, max(capacity - taken.get((day, start), 0), 0))
                for start in slots.open_start_times(schedule, day, now)
            ],
        )
        for day in (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    ]
