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
