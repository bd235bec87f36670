"""The dispatch calendar's data: one shop, a day, week or month, in a fixed number of queries."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Window
from django.db.models.functions import RowNumber

from booking import slots
from booking.admin.source_colours import NO_SOURCE, source_colour, source_colour_index
from booking.availability import schedule_of
from booking.models import Booking, SeatCounter
from tenants.models import Shop

VIEWS = ("day", "week", "month")
# A month's day lists this many bookings and links to its day for the rest: a busy shop's
# month would otherwise be thousands of lines no one reads.
MONTH_DAY_CAP = 6


@dataclass(frozen=True)
class Span:
    view: str
    anchor: dt.date
    first: dt.date
    last: dt.date
    previous: dt.date
    following: dt.date

    @property
    def days(self) -> list[dt.date]:
        return [self.first + dt.timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    @property
    def title(self) -> str:
        if self.view == "day":
            return f"{self.anchor:%A %B} {self.anchor.day}, {self.anchor.year}"
        if self.view == "week":
            return f"Week of {self.first:%B} {self.first.day}, {self.first.year}"
        return f"{self.anchor:%B %Y}"


def span_for(view: str, anchor: dt.date) -> Span:
    """The dates a view shows around `anchor`; weeks start on Monday."""
    if view == "day":
        step = dt.timedelta(days=1)
        return Span(view, anchor, anchor, anchor, anchor - step, anchor + step)
    if view == "week":
        monday = anchor - dt.timedelta(days=anchor.weekday())
        week = dt.timedelta(days=7)
        return Span(
            view, anchor, monday, monday + dt.timedelta(days=6), anchor - week, anchor + week
        )
    first_of_month = anchor.replace(day=1)
    last_of_month = first_of_month.replace(day=calendar.monthrange(anchor.year, anchor.month)[1])
    previous = (first_of_month - dt.timedelta(days=1)).replace(day=1)
    following = last_of_month + dt.timedelta(days=1)
    grid_first = first_of_month - dt.timedelta(days=first_of_month.weekday())
    grid_last = last_of_month + dt.timedelta(days=6 - last_of_month.weekday())
    return Span(view, first_of_month, grid_first, grid_last, previous, following)


@dataclass
class Day:
    date: dt.date
    is_today: bool
    is_past: bool
    closed: str  # "", "non-working" or "blackout: <reason>"
    in_month: bool = True
    url: str = ""
    bookings: list[Booking] = field(default_factory=list)
    taken: int = 0
    capacity: int = 0
    more: int = 0  # the day's bookings a capped month leaves out


@dataclass
class Cell:
    day: Day
    bookings: list[Booking]
    taken: int
    capacity: int

    @property
    def full(self) -> bool:
        return self.capacity > 0 and self.taken >= self.capacity

    @property
    def over(self) -> bool:
        return self.taken > self.capacity


@dataclass
class Row:
    start: dt.time
    cells: list[Cell]

    @property
    def window(self) -> str:
        """The arrival window of this start time: every booking in the row has it."""
        return slots.window_of(self.start)


@dataclass
class Calendar:
    shop: Shop
    span: Span
    days: list[Day]
    rows: list[Row]
    start_times: list[dt.time]
    sources: list[tuple[str, str]]
    capacity: int

    @property
    def weeks(self) -> list[list[Day]]:
        return [self.days[n : n + 7] for n in range(0, len(self.days), 7)]


def bookings_between(queryset, shop: Shop, first: dt.date, last: dt.date):
    """A shop's bookings in a date range, in calendar order, for the calendar and its feed."""
    # live(): a partner's test bookings take no seat and show on no calendar.
    return (
        queryset.live()
        .filter(shop=shop, scheduled_date__range=(first, last))
        .select_related("technician")
        .order_by("scheduled_date", "scheduled_time", "created_at")
    )


def first_of_each_day(bookings, cap: int = MONTH_DAY_CAP):
    """`bookings` cut to the first `cap` of each day, each carrying its day's total (one query)."""
    by_day = {"partition_by": F("scheduled_date")}
    return bookings.annotate(
        day_total=Window(Count("pk"), **by_day),
        day_rank=Window(
            RowNumber(), order_by=[F("scheduled_time"), F("created_at"), F("pk")], **by_day
        ),
    ).filter(day_rank__lte=cap)


def build_calendar(
    *,
    shop: Shop,
    span: Span,
    bookings,
) -> Calendar:
    """Lay `bookings` (already filtered) onto start times and days; three queries of its own."""
    booking_settings = shop.booking_settings
    schedule = schedule_of(booking_settings)  # one query: blackouts
    blackout_reasons = {
        b.date: b.reason
        for b in booking_settings.blackout_dates.filter(date__range=(span.first, span.last))
    }
    capacity = booking_settings.jobs_per_start_time
    taken = {
        (c.date, c.start_time): c.booked
        for c in SeatCounter.objects.filter(shop=shop, date__range=(span.first, span.last))
    }
    today = shop.today()
    days: list[Day] = []
    by_date: dict[dt.date, Day] = {}
    for date in span.days:
        closed = ""
        if date.weekday() not in schedule.weekdays:
            closed = "non-working day"
        elif date in blackout_reasons:
            closed = f"blackout: {blackout_reasons[date]}" if blackout_reasons[date] else "blackout"
        day = Day(
            date=date,
            is_today=date == today,
            is_past=date < today,
            closed=closed,
            in_month=span.view != "month" or date.month == span.anchor.month,
        )
        days.append(day)
        by_date[date] = day

    start_times = schedule.start_times()
    booking_list = list(bookings)
    # A booking made before the shop changed its hours still shows, at its own time.
    extra_times = {b.scheduled_time for b in booking_list} - set(start_times)
    start_times = sorted(set(start_times) | extra_times)
    cells: dict[tuple[dt.date, dt.time], list[Booking]] = {}
    for booking in booking_list:
        booking.colour = source_colour(booking.source)
        booking.colour_index = source_colour_index(booking.source)
        cells.setdefault((booking.scheduled_date, booking.scheduled_time), []).append(booking)
        day = by_date.get(booking.scheduled_date)
        if day is not None:
            day.bookings.append(booking)
            day.more = getattr(booking, "day_total", 0) - len(day.bookings)

    open_starts = set(schedule.start_times())
    for day in days:
        if not day.closed:
            day.capacity = capacity * len(open_starts)
        day.taken = sum(taken.get((day.date, start), 0) for start in start_times)

    rows = [
        Row(
            start=start,
            cells=[
                Cell(
                    day=day,
                    bookings=cells.get((day.date, start), []),
                    taken=taken.get((day.date, start), 0),
                    capacity=0 if day.closed or start not in open_starts else capacity,
                )
                for day in days
            ],
        )
        for start in start_times
    ]
    return Calendar(
        shop=shop,
        span=span,
        days=days,
        rows=rows,
        start_times=start_times,
        sources=[
            (source or NO_SOURCE, source_colour(source))
            for source in sorted({b.source for b in booking_list})
        ],
        capacity=capacity,
    )
