"""The slot engine's pure half: settings + date + now -> ordered start times. No database."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from booking.refusals import BEYOND_HORIZON, BLACKOUT, NON_WORKING_DAY, PAST

# The contract's windows: AM is 8am-12pm, PM 12pm-5pm. A start belongs to the window it is in.
NOON = dt.time(12, 0)
AM, PM = "am", "pm"


@dataclass(frozen=True)
class Schedule:
    first_start: dt.time
    last_start: dt.time
    minutes_between_starts: int
    weekdays: frozenset[int]
    blackouts: frozenset[dt.date]
    min_notice: dt.timedelta
    horizon_days: int

    @classmethod
    def of(cls, booking_settings, *, blackouts: Iterable[dt.date] = ()) -> Schedule:
        """The schedule of a shop's online-booking settings; the caller brings the blackouts."""
        return cls(
            first_start=booking_settings.first_start,
            last_start=booking_settings.last_start,
            minutes_between_starts=booking_settings.minutes_between_starts,
            weekdays=frozenset(booking_settings.working_weekdays),
            blackouts=frozenset(blackouts),
            min_notice=dt.timedelta(minutes=booking_settings.min_notice_minutes),
            horizon_days=booking_settings.horizon_days,
        )

    def start_times(self) -> list[dt.time]:
        """Every start time of a working day, in order."""
        return start_times(self.first_start, self.last_start, self.minutes_between_starts)

    def last_bookable_date(self, today: dt.date) -> dt.date:
        return today + dt.timedelta(days=self.horizon_days)


def start_times(first: dt.time, last: dt.time, minutes_between: int) -> list[dt.time]:
    """Every start time of a working day from `first` to `last`, in order."""
    day = dt.date(2000, 1, 1)
    current = dt.datetime.combine(day, first)
    end = dt.datetime.combine(day, last)
    step = dt.timedelta(minutes=minutes_between)
    times = []
    while current <= end:
        times.append(current.time())
        current += step
    return times


def start_times_of(booking_settings) -> list[dt.time]:
    """A shop's start times, from its online-booking settings (no blackouts needed)."""
    return start_times(
        booking_settings.first_start,
        booking_settings.last_start,
        booking_settings.minutes_between_starts,
    )


@dataclass(frozen=True)
class SlotRequest:
    """What the customer asked for: a window (am/pm), an exact time, or nothing."""

    date: dt.date
    window: str = ""
    time: dt.time | None = None

    @property
    def label(self) -> str:
        """How the request is stored and echoed back: "am", "pm", "10:30" or ""."""
        if self.time is not None:
            return self.time.strftime("%H:%M")
        return self.window


def window_of(start: dt.time) -> str:
    return AM if start < NOON else PM


@dataclass(frozen=True)
class ArrivalWindow:
    """A window a customer can ask for, with when its arrivals begin and end at this shop."""

    value: str  # AM or PM
    title: str
    first_arrival: dt.time
    end: dt.time


# The contract's windows (AM 8am-12pm, PM 12pm-5pm), for a shop with no start in one.
_CONTRACT_WINDOWS = [
    ArrivalWindow(AM, "Morning", dt.time(8), NOON),
    ArrivalWindow(PM, "Afternoon", NOON, dt.time(17)),
]


def window_options(booking_settings) -> list[ArrivalWindow]:
    """The morning and afternoon windows, fitted to this shop's own start times.

    A shop whose first start is 9:00 must not promise an 8 AM arrival. A window ends one
    interval after its last start, and the morning at noon at the latest.
    """
    starts = start_times_of(booking_settings)
    step = dt.timedelta(minutes=booking_settings.minutes_between_starts)
    windows = []
    for window in _CONTRACT_WINDOWS:
        mine = [start for start in starts if window_of(start) == window.value]
        if not mine:
            windows.append(window)
            continue
        end = (dt.datetime.combine(dt.date.min, mine[-1]) + step).time()
        if window.value == AM:
            end = min(end, NOON)
        windows.append(ArrivalWindow(window.value, window.title, mine[0], end))
    return windows


def clock(time: dt.time) -> str:
    """A time as people say it: "8 AM", "12:30 PM"."""
    hour = time.hour % 12 or 12
    suffix = "AM" if time.hour < 12 else "PM"
    return f"{hour} {suffix}" if not time.minute else f"{hour}:{time.minute:02d} {suffix}"


_TIME_RE = re.compile(r"^(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([ap]\.?m\.?)?$", re.IGNORECASE)


def parse_time_slot(text: str | None) -> tuple[str, dt.time | None]:
    """("am"|"pm"|"", time or None) from the contract's time_slot; ValueError if unreadable.

    Accepts AM/PM in any case, 24-hour "10:00" and "10:00 AM" / "2pm" style.
    """
    value = (text or "").strip()
    if not value:
        return "", None
    if value.lower() in (AM, PM):
        return value.lower(), None
    match = _TIME_RE.match(value)
    if not match:
        raise ValueError("use AM, PM or a time like 10:00")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    meridiem = (match.group(4) or "").lower().replace(".", "")
    if meridiem:
        if not 1 <= hour <= 12 or match.group(3):
            raise ValueError("use AM, PM or a time like 10:00")
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
    elif match.group(2) is None:
        # A bare "10" is too ambiguous to book a technician on.
        raise ValueError("use AM, PM or a time like 10:00")
    if hour > 23 or minute > 59:
        raise ValueError("use AM, PM or a time like 10:00")
    return "", dt.time(hour, minute)


def day_closed_reason(schedule: Schedule, day: dt.date, today: dt.date) -> str:
    """Why no start on `day` can be booked at all, or "" when the day is open."""
    if day < today:
        return PAST
    if day > schedule.last_bookable_date(today):
        return BEYOND_HORIZON
    if day.weekday() not in schedule.weekdays:
        return NON_WORKING_DAY
    if day in schedule.blackouts:
        return BLACKOUT
    return ""


def open_start_times(schedule: Schedule, day: dt.date, now: dt.datetime) -> list[dt.time]:
    """Starts on `day` that are far enough ahead of `now` (an aware datetime in the shop's zone)."""
    if day_closed_reason(schedule, day, now.date()):
        return []
    earliest = now + schedule.min_notice
    return [
        start
        for start in schedule.start_times()
        if dt.datetime.combine(day, start, tzinfo=now.tzinfo) >= earliest
    ]


def anchor_range(schedule: Schedule, window: str, time: dt.time | None) -> tuple[dt.time, dt.time]:
    """The first and last start that satisfy the request exactly.

    A time between two starts means the next start; raises ValueError outside the shop's hours.
    """
    starts = schedule.start_times()
    if time is not None:
        later = [start for start in starts if start >= time]
        if time < schedule.first_start or not later:
            raise ValueError(
                f"time_slot must be between {schedule.first_start:%H:%M} and "
                f"{schedule.last_start:%H:%M}"
            )
        return later[0], later[0]
    if window:
        in_window = [start for start in starts if window_of(start) == window]
        if not in_window:
            return (starts[-1], starts[-1]) if window == PM else (starts[0], starts[0])
        return in_window[0], in_window[-1]
    return starts[0], starts[-1]


def preference_order(starts: list[dt.time], first: dt.time, last: dt.time) -> list[dt.time]:
    """Starts to try, best first: the requested ones earliest first, then later ones, then the
    nearest earlier ones (the contract: a full slot moves to the next time on the same date)."""
    wanted = [s for s in starts if first <= s <= last]
    later = [s for s in starts if s > last]
    earlier = [s for s in starts if s < first]
    return wanted + later + list(reversed(earlier))
