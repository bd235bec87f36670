"""The dispatch board's data: one shop's day as a lane per technician, time running down.

A lane is a technician on shift that day, or one with a job that day whatever their shift,
and always one more for the jobs nobody has yet. Everything is placed in minutes from the
board's first hour, so the template only multiplies by PX_PER_MINUTE; the shaded spans (off
shift, time off) carry their words too, for the phone, where lanes are lists.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Prefetch

from booking import slots
from booking.admin.source_colours import source_colour
from booking.models import Booking
from technicians.models import Technician, TimeOff
from tenants.models import Shop

# Two pixels a minute: an hour's job is tall enough for its seven lines at a laptop's width.
PX_PER_MINUTE = 2
# Seven lanes of at least this fit a 1280 px laptop without scrolling sideways.
LANE_MIN_PX = 120
AXIS_PX = 52
MAPS_SEARCH = "https://www.google.com/maps/search/?"
UNASSIGNED = "Unassigned"


@dataclass
class Card:
    booking: Booking
    top: int  # minutes from the board's first hour
    minutes: int
    column: int = 0
    columns: int = 1

    @property
    def ends(self) -> dt.time:
        return _end(self.booking.scheduled_time, self.minutes)

    @property
    def map_url(self) -> str:
        return MAPS_SEARCH + urlencode({"api": "1", "query": self.booking.address})

    @property
    def style(self) -> str:
        """Where the card sits in its lane: side by side with the jobs it overlaps."""
        width = 100 / self.columns
        return (
            f"top: {self.top * PX_PER_MINUTE}px; height: {self.minutes * PX_PER_MINUTE}px; "
            f"left: {self.column * width:.3f}%; width: {width:.3f}%"
        )


@dataclass(frozen=True)
class Shade:
    """A span of a lane the technician cannot work: before or after their shift, time off."""

    top: int
    minutes: int
    words: str

    @property
    def style(self) -> str:
        return f"top: {self.top * PX_PER_MINUTE}px; height: {self.minutes * PX_PER_MINUTE}px"


@dataclass
class Lane:
    technician: Technician | None
    name: str
    colour: str
    hours: str  # "On 08:00-17:00", "Not on shift", or the unassigned lane's note
    cards: list[Card] = field(default_factory=list)
    shades: list[Shade] = field(default_factory=list)

    @property
    def columns(self) -> int:
        """How many jobs sit side by side at most: the lane is that many times as wide."""
        return max((card.columns for card in self.cards), default=1)

    @property
    def key(self) -> str:
        """What a drop on the lane posts as the technician: an id, or "" for nobody."""
        return str(self.technician.pk) if self.technician else ""


@dataclass(frozen=True)
class Tick:
    top: int
    label: str

    @property
    def style(self) -> str:
        return f"top: {self.top * PX_PER_MINUTE}px"


@dataclass
class Board:
    shop: Shop
    day: dt.date
    first: dt.time  # the board's first hour
    minutes: int  # how long the board runs
    lanes: list[Lane]
    ticks: list[Tick]
    start_times: list[dt.time]
    off_today: list[str]  # active technicians with no shift and no job that day
    closed: str = ""  # "", "non-working day" or "blackout: <reason>", as the calendar says

    px_per_minute = PX_PER_MINUTE

    @property
    def height(self) -> int:
        return self.minutes * PX_PER_MINUTE

    @property
    def grid_columns(self) -> str:
        """The time axis, then the lanes, each as wide as the jobs it has side by side."""
        lanes = " ".join(
            f"minmax({LANE_MIN_PX * lane.columns}px, {lane.columns}fr)" for lane in self.lanes
        )
        return f"{AXIS_PX}px {lanes}"

    @property
    def start_minutes(self) -> str:
        """The shop's start times as minutes from the first hour: where a drop snaps to."""
        return " ".join(str(_minutes_between(self.first, start)) for start in self.start_times)


def has_technicians(shop: Shop) -> bool:
    """Whether the shop dispatches to technicians: else its day stays the start-time grid."""
    return Technician.objects.active().filter(shop=shop).exists()


def build_board(*, shop: Shop, day: dt.date, bookings) -> Board:
    """Lay `bookings` (one day, already filtered) into lanes: five queries, the jobs, the
    technicians, their shifts and their time off that day, and the day's blackout."""
    booking_settings = shop.booking_settings
    jobs = list(bookings.select_related("technician"))
    for booking in jobs:
        # The shop loaded once, not once a job: an older job's length is the shop's.
        booking.shop = shop
    on_job = {b.technician_id for b in jobs if b.technician_id}
    technicians = list(
        Technician.objects.filter(shop=shop)
        .prefetch_related(
            "shifts",
            Prefetch(
                "time_off", queryset=TimeOff.objects.filter(first_day__lte=day, last_day__gte=day)
            ),
        )
        .order_by("name", "pk")
    )
    working = [
        t for t in technicians if t.pk in on_job or (t.is_active and t.shift_on(day) is not None)
    ]
    first, last = _board_hours(booking_settings, day, working, jobs)
    minutes = _minutes_between(first, last)
    lanes = [_technician_lane(t, day, first, minutes) for t in working]
    by_technician = {lane.technician.pk: lane for lane in lanes}
    unassigned = Lane(None, UNASSIGNED, "#6b7280", "Jobs nobody has yet")
    for booking in jobs:
        booking.colour = source_colour(booking.source)
        lane = by_technician.get(booking.technician_id, unassigned)
        top = _minutes_between(first, booking.scheduled_time)
        lane.cards.append(Card(booking, top, booking.job_minutes))
    lanes.append(unassigned)
    for lane in lanes:
        _side_by_side(lane.cards)
    return Board(
        shop=shop,
        day=day,
        first=first,
        minutes=minutes,
        lanes=lanes,
        ticks=[Tick(top, slots.clock(_at(first, top))) for top in range(0, minutes, 60)],
        start_times=slots.start_times_of(booking_settings),
        off_today=[t.name for t in technicians if t.is_active and t not in working],
        closed=closed_note(booking_settings, day),
    )


def closed_note(booking_settings, day: dt.date) -> str:
    """Why the shop takes no jobs on `day`, in the calendar's words; "" on an open day."""
    if day.weekday() not in booking_settings.working_weekdays:
        return "non-working day"
    blackout = booking_settings.blackout_dates.filter(date=day).first()
    if blackout is None:
        return ""
    return f"blackout: {blackout.reason}" if blackout.reason else "blackout"


def _board_hours(booking_settings, day, technicians, jobs) -> tuple[dt.time, dt.time]:
    """Whole hours around the shop's start times, the shifts and the jobs of the day."""
    starts = [booking_settings.first_start]
    ends = [_end(booking_settings.last_start, booking_settings.default_job_minutes)]
    for technician in technicians:
        shift = technician.shift_on(day)
        if shift is not None:
            starts.append(shift.start)
            ends.append(shift.end)
    for booking in jobs:
        starts.append(booking.scheduled_time)
        ends.append(_end(booking.scheduled_time, booking.job_minutes))
    first = min(starts).replace(minute=0, second=0, microsecond=0)
    last = max(ends)
    if last != dt.time.max and (last.minute or last.second):
        last = _end(last.replace(minute=0, second=0), 60)
    return first, last


def _end(start: dt.time, minutes: int) -> dt.time:
    """When a job ends on the board; one past midnight ends at the end of the day."""
    ends = dt.datetime.combine(dt.date.min, start) + dt.timedelta(minutes=minutes)
    return ends.time() if ends.date() == dt.date.min else dt.time.max


def _minutes_between(first: dt.time, then: dt.time) -> int:
    reference = dt.date.min
    delta = dt.datetime.combine(reference, then) - dt.datetime.combine(reference, first)
    return round(delta.total_seconds() / 60)


def _at(first: dt.time, minutes: int) -> dt.time:
    return (dt.datetime.combine(dt.date.min, first) + dt.timedelta(minutes=minutes)).time()


def _technician_lane(technician: Technician, day: dt.date, first: dt.time, minutes: int) -> Lane:
    """A technician's lane, with the hours they cannot work shaded."""
    shift = technician.shift_on(day)
    lane = Lane(technician, technician.name, technician.colour, "Not on shift")
    if shift is None:
        lane.shades.append(Shade(0, minutes, "Not on shift"))
    else:
        lane.hours = f"On {slots.clock(shift.start)}-{slots.clock(shift.end)}"
        before = _minutes_between(first, shift.start)
        after = _minutes_between(first, shift.end)
        if before > 0:
            lane.shades.append(Shade(0, before, f"Off shift until {slots.clock(shift.start)}"))
        if after < minutes:
            off = f"Off shift from {slots.clock(shift.end)}"
            lane.shades.append(Shade(after, minutes - after, off))
    day_begins = dt.datetime.combine(day, first)
    day_ends = day_begins + dt.timedelta(minutes=minutes)
    for away in technician.time_off.all():
        begins, ends = max(away.begins, day_begins), min(away.ends, day_ends)
        if begins >= ends:
            continue
        words = f"Time off {slots.clock(begins.time())}-{slots.clock(ends.time())}"
        if away.reason:
            words += f": {away.reason}"
        top = round((begins - day_begins).total_seconds() / 60)
        lane.shades.append(Shade(top, round((ends - begins).total_seconds() / 60), words))
        lane.hours += f"; {words}"
    return lane


def _side_by_side(cards: list[Card]) -> None:
    """Give overlapping cards columns, so none hides another (the unassigned lane, overbooks)."""
    cards.sort(key=lambda card: (card.top, -card.minutes))
    group: list[Card] = []
    group_ends = 0
    column_ends: list[int] = []
    for card in cards:
        if group and card.top >= group_ends:
            _spread(group, len(column_ends))
            group, column_ends, group_ends = [], [], 0
        free = next((n for n, ends in enumerate(column_ends) if ends <= card.top), None)
        if free is None:
            column_ends.append(0)
            free = len(column_ends) - 1
        card.column = free
        column_ends[free] = card.top + card.minutes
        group.append(card)
        group_ends = max(group_ends, card.top + card.minutes)
    if group:
        _spread(group, len(column_ends))


def _spread(group: list[Card], columns: int) -> None:
    for card in group:
        card.columns = columns
