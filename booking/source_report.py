"""Bookings by source: what each source tag and each scheduler account brought, week by week.

A booking counts in the week it was made (Monday to Sunday on the shop's clock): that is when
a shop's Yelp link or a partner sent it. For each week: how many were booked, how many of those
are cancelled or completed now, and how many landed at another time than asked
(Booking.reassigned, here as SQL). Test bookings never count: the callers pass
Booking.objects.live() scoped to a shop or an account.

One query does the counting, grouped by (week, source, account), whatever the range; the rest
is arithmetic on those rows. The bar chart's geometry is computed here too, so the templates
draw it as plain SVG and the browser needs no chart library.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import CharField, Count, F, Q
from django.db.models.functions import Cast, Substr, TruncWeek

from booking import slots
from booking.models import Booking

DEFAULT_WEEKS = 8
MAX_WEEKS = 53
NO_ACCOUNT = "no scheduler account"

# Booking.reassigned in SQL: a window asked and another got, or an exact time asked and another
# start got ("10:30" against the start's first five characters, "10:30:00").
_ASKED_WINDOW = Q(requested_time_slot__in=[slots.AM, slots.PM])
LANDED_ELSEWHERE = (_ASKED_WINDOW & ~Q(window=F("requested_time_slot"))) | (
    ~_ASKED_WINDOW
    & ~Q(requested_time_slot="")
    & ~Q(requested_time_slot=Substr(Cast("scheduled_time", CharField()), 1, 5))
)


@dataclass(frozen=True)
class Counts:
    booked: int = 0
    cancelled: int = 0
    completed: int = 0
    elsewhere: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.booked + other.booked,
            self.cancelled + other.cancelled,
            self.completed + other.completed,
            self.elsewhere + other.elsewhere,
        )


@dataclass
class Line:
    """One source tag's (or account's) counts, one per week of the report, and their total."""

    name: str
    weeks: list[Counts]
    colour: str = ""

    @property
    def total(self) -> Counts:
        return sum(self.weeks, Counts())


@dataclass
class Bar:
    """One coloured part of a week's bar: a source's bookings that week."""

    x: int
    y: int
    width: int
    height: int
    colour: str
    title: str


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[int, str]] = field(default_factory=list)  # (x of the middle, text)
    most: int = 0


@dataclass
class Report:
    weeks: list[dt.date]  # each week's Monday
    by_source: list[Line]
    by_account: list[Line]

    @property
    def total(self) -> Line:
        weeks = [sum((line.weeks[n] for line in self.by_source), Counts()) for n in self.weeks_n]
        return Line("all sources", weeks)

    @property
    def weeks_n(self) -> range:
        return range(len(self.weeks))

    @property
    def last_day(self) -> dt.date:
        return self.weeks[-1] + dt.timedelta(days=6)

    def csv_rows(self):
        """(week, "source" or "scheduler account", name, booked, cancelled, completed,
        landed elsewhere), every line and week, weeks without bookings too."""
        for kind, lines in (("source", self.by_source), ("scheduler account", self.by_account)):
            for line in lines:
                for week, counts in zip(self.weeks, line.weeks, strict=True):
                    yield (week.isoformat(), kind, line.name, *_numbers(counts))

    def chart(self, *, width: int = 640, height: int = 180) -> Chart:
        """Each week a bar of its bookings, stacked by source in the sources' colours."""
        chart = Chart(width, height + 24)
        chart.most = max((self.total.weeks[n].booked for n in self.weeks_n), default=0)
        slot = width // max(len(self.weeks), 1)
        for n, week in enumerate(self.weeks):
            x, y = n * slot + slot // 6, height
            for line in self.by_source:
                booked = line.weeks[n].booked
                if not booked:
                    continue
                tall = round(booked * (height - 10) / chart.most)
                y -= tall
                title = f"{line.name}, week of {week:%b %-d}: {booked} booked"
                chart.bars.append(Bar(x, y, slot * 2 // 3, tall, line.colour, title))
            chart.labels.append((n * slot + slot // 2, f"{week:%b %-d}"))
        return chart


def _numbers(counts: Counts) -> tuple[int, int, int, int]:
    return counts.booked, counts.cancelled, counts.completed, counts.elsewhere


def monday_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def source_report(bookings, *, tz: ZoneInfo, first: dt.date, last: dt.date) -> Report:
    """The report of `bookings` (live, already scoped) made in the weeks from the one holding
    `first` to the one holding `last`, on the clock of `tz`."""
    from booking.admin.source_colours import NO_SOURCE  # see _colour

    weeks = []
    week = monday_of(first)
    while week <= last:
        weeks.append(week)
        week += dt.timedelta(days=7)
    begins = dt.datetime.combine(weeks[0], dt.time(), tzinfo=tz)
    ends = dt.datetime.combine(weeks[-1] + dt.timedelta(days=7), dt.time(), tzinfo=tz)
    rows = (
        bookings.filter(created_at__gte=begins, created_at__lt=ends)
        .annotate(week=TruncWeek("created_at", tzinfo=tz))
        .values("week", "source", "account_id", "account__name")
        .annotate(
            booked=Count("pk"),
            cancelled=Count("pk", filter=Q(status=Booking.Status.CANCELLED)),
            completed=Count("pk", filter=Q(status=Booking.Status.COMPLETED)),
            elsewhere=Count("pk", filter=LANDED_ELSEWHERE),
        )
        .order_by()
    )
    position = {week: n for n, week in enumerate(weeks)}
    sources: dict[str, Line] = {}
    accounts: dict[object, Line] = {}
    for row in rows:
        n = position[row["week"].astimezone(tz).date()]
        counts = Counts(row["booked"], row["cancelled"], row["completed"], row["elsewhere"])
        for lines, key, name in (
            (sources, row["source"] or NO_SOURCE, row["source"] or NO_SOURCE),
            (accounts, row["account_id"], row["account__name"] or NO_ACCOUNT),
        ):
            line = lines.setdefault(key, Line(name, [Counts()] * len(weeks)))
            line.weeks[n] += counts
    by_most = lambda line: (-line.total.booked, line.name.lower())  # noqa: E731
    report = Report(
        weeks, sorted(sources.values(), key=by_most), sorted(accounts.values(), key=by_most)
    )
    _colour(report.by_source)
    return report


def _colour(lines: list[Line]) -> None:
    """Each source its calendar colour, unless a bigger source here has it: two sources of one
    colour in a stacked bar could not be told apart."""
    # Imported here: the admin package imports this module, so importing it at the top would
    # leave this module half-made when a door outside the admin is the first to ask for it.
    from booking.admin.source_colours import PALETTE, source_colour

    for n, line in enumerate(lines):
        taken = {other.colour for other in lines[:n]}
        free = [colour for colour in PALETTE if colour not in taken] or PALETTE
        line.colour = source_colour(line.name)
        if line.colour in taken:
            line.colour = free[0]


# ISO in and out: what a browser's date picker sends and shows.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportRangeForm(forms.Form):
    """The weeks to show: from the week of `start` to the week of `end`, the last eight by
    default; a range past MAX_WEEKS or backwards is refused, saying so."""

    start = forms.DateField(required=False, widget=DATE_INPUT)
    end = forms.DateField(required=False, widget=DATE_INPUT)

    def __init__(self, data, *, today: dt.date):
        super().__init__(data)
        self.today = today
        # The fields show the weeks shown, the default ones too.
        first, last = self._default()
        self.fields["start"].initial, self.fields["end"].initial = first, last

    def clean(self):
        cleaned = super().clean()
        end = cleaned.get("end") or self.today
        start = cleaned.get("start") or monday_of(end) - dt.timedelta(weeks=DEFAULT_WEEKS - 1)
        if start > end:
            raise forms.ValidationError("The first week must come before the last.")
        if (monday_of(end) - monday_of(start)).days // 7 >= MAX_WEEKS:
            raise forms.ValidationError(f"Show at most {MAX_WEEKS} weeks at a time.")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned

    def weeks(self) -> tuple[dt.date, dt.date]:
        """(first day, last day) asked for, or the default eight weeks when the form is not
        valid."""
        if self.is_valid():
            return self.cleaned_data["start"], self.cleaned_data["end"]
        return self._default()

    def _default(self) -> tuple[dt.date, dt.date]:
        return monday_of(self.today) - dt.timedelta(weeks=DEFAULT_WEEKS - 1), self.today
