"""Read-only: seats left at each start time of a shop's next days (for the partner portal)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from booking import slots
from booking.models import SlotCounter
from tenants.models import Shop

CLOSED_LABELS = {
    "non_working": "Closed",
    "blackout": "Closed (holiday)",
    "beyond_horizon": "Not bookable yet",
    "past": "Past",
}


@dataclass(frozen=True)
class StartSeats:
    start: dt.time
    seats_left: int

    @property
    def window(self) -> str:
        return slots.window_of(self.start)


@dataclass(frozen=True)
class DaySeats:
    date: dt.date
    closed: str
    starts: list[StartSeats]

    def _left(self, window: str) -> int:
        return sum(s.seats_left for s in self.starts if s.window == window)

    @property
    def am_left(self) -> int:
        return self._left(slots.AM)

    @property
    def pm_left(self) -> int:
        return self._left(slots.PM)

    @property
    def is_full(self) -> bool:
        return not self.closed and not any(s.seats_left for s in self.starts)


def shop_availability(shop: Shop, *, days: int = 14) -> list[DaySeats]:
    """The shop's next `days` days from its own today, with two queries in all."""
    booking_settings = shop.booking_settings
    schedule = booking_settings.schedule()
    capacity = booking_settings.jobs_per_slot
    now = shop.now()
    today = now.date()
    last = today + dt.timedelta(days=days - 1)
    taken = {
        (row["date"], row["start_time"]): row["booked"]
        for row in SlotCounter.objects.filter(shop=shop, date__range=(today, last)).values(
            "date", "start_time", "booked"
        )
    }
    result = []
    for offset in range(days):
        day = today + dt.timedelta(days=offset)
        reason = slots.day_closed_reason(schedule, day, today)
        starts = [
            StartSeats(start, max(capacity - taken.get((day, start), 0), 0))
            for start in slots.open_start_times(schedule, day, now)
        ]
        if not reason and not starts:
            reason = "too_late"
        result.append(
            DaySeats(
                date=day, closed=CLOSED_LABELS.get(reason, "No start times left"), starts=starts
            )
            if reason
            else DaySeats(date=day, closed="", starts=starts)
        )
    return result
