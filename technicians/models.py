"""A shop's technicians: who they are, what they fix, when they work and when they are off.

Times here are wall-clock times at the shop, like a booking's start: a shift of 08:00-17:00 is
08:00-17:00 on the shop's clock whatever the server's zone. Whether a technician can take a
job is decided in booking/capacity.py from these rows and the jobs already assigned.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from phonenumber_field.modelfields import PhoneNumberField

from tenants.models import WEEKDAY_NAMES, Shop

# Lane and card colours that read well with white text; a new technician gets the next unused.
PALETTE = [
    "#2563eb",
    "#db2777",
    "#16a34a",
    "#ea580c",
    "#7c3aed",
    "#0891b2",
    "#ca8a04",
    "#dc2626",
    "#4b5563",
    "#0d9488",
]

colour_validator = RegexValidator(
    r"^#[0-9a-fA-F]{6}$", "A colour like #2563eb (a # and six hexadecimal digits)."
)

WEEKDAY_CHOICES = [(number, name.title()) for number, name in enumerate(WEEKDAY_NAMES)]


def new_link_key() -> str:
    """A fresh secret for a technician's day link and calendar feed (technicians/links.py)."""
    return secrets.token_urlsafe(12)


class TechnicianQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Technician(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="technicians")
    name = models.CharField(max_length=120)
    mobile_phone = PhoneNumberField(blank=True)
    email = models.EmailField("e-mail", blank=True)
    colour = models.CharField(
        max_length=7,
        default=PALETTE[0],
        validators=[colour_validator],
        help_text="Their lane and cards on the dispatch board.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Off: takes no new jobs. Jobs already assigned stay until moved.",
    )
    skills = models.JSONField(
        default=list,
        blank=True,
        help_text="The shop's appliance types they service; none ticked means all.",
    )
    # Part of the signed day link and feed address: a new key (a reissue) retires both.
    link_key = models.CharField(max_length=32, default=new_link_key, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TechnicianQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "shop",
                Lower("name"),
                name="unique_technician_name_per_shop",
                violation_error_message="The shop already has a technician of that name.",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def first_name(self) -> str:
        """What partners and customers are told: "Mike", not "Mike O'Brien"."""
        return self.name.split()[0] if self.name.strip() else ""

    def services(self, appliance: str | None) -> bool:
        """Whether they fix `appliance`; an unknown appliance (None) counts for everyone."""
        return appliance is None or not self.skills or appliance in self.skills

    def skills_label(self) -> str:
        return ", ".join(self.skills) if self.skills else "All appliances"

    def week_label(self) -> str:
        """The week in few words: "Mon-Fri 08:00-17:00, Sat 09:00-13:00"."""
        runs: list[list[Shift]] = []
        for shift in self.shifts.all():
            last = runs[-1][-1] if runs else None
            if last and shift.weekday == last.weekday + 1 and shift.hours == last.hours:
                runs[-1].append(shift)
            else:
                runs.append([shift])
        return ", ".join(_run_words(run) for run in runs) or "No shifts"

    def shift_on(self, day: dt.date) -> Shift | None:
        """Their shift on `day`'s weekday (from prefetched shifts when there are some)."""
        return next((s for s in self.shifts.all() if s.weekday == day.weekday()), None)

    def off_during(self, begins: dt.datetime, ends: dt.datetime) -> bool:
        """Whether any time off overlaps [begins, ends) (naive wall-clock datetimes)."""
        return any(off.overlaps(begins, ends) for off in self.time_off.all())

    def clean(self) -> None:
        skills = self.skills
        if not isinstance(skills, list) or not all(
            isinstance(s, str) and s.strip() for s in skills
        ):
            raise ValidationError({"skills": "A list of the shop's appliance types."})


class Shift(models.Model):
    """One weekday of a technician's week: on from `start` to `end`. No row: off that day."""

    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="shifts")
    weekday = models.PositiveSmallIntegerField(choices=WEEKDAY_CHOICES)
    start = models.TimeField()
    end = models.TimeField()

    class Meta:
        ordering = ["weekday"]
        constraints = [
            models.UniqueConstraint(fields=["technician", "weekday"], name="one_shift_a_weekday"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="shift_weekday_0_to_6"),
        ]

    def __str__(self) -> str:
        return f"{WEEKDAY_NAMES[self.weekday].title()} {self.hours}"

    @property
    def hours(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    def covers(self, start: dt.time, end: dt.time) -> bool:
        return self.start <= start and end <= self.end


class TimeOff(models.Model):
    """Time a technician is away: whole days, or from a time on the first day until a time on
    the last (a dentist's appointment is one day from 13:00 until 15:00)."""

    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="time_off")
    first_day = models.DateField()
    last_day = models.DateField()
    from_time = models.TimeField(
        null=True, blank=True, help_text="On the first day; empty: from the start of the day."
    )
    until_time = models.TimeField(
        null=True, blank=True, help_text="On the last day; empty: to the end of the day."
    )
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["first_day", "from_time"]
        verbose_name = "time off"
        verbose_name_plural = "time off"
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="time_off_last_day_not_before_first"
            ),
            models.CheckConstraint(
                condition=~Q(last_day=F("first_day"), until_time__lte=F("from_time")),
                name="time_off_ends_after_it_starts",
            ),
        ]

    def __str__(self) -> str:
        return self.describe()

    def clean(self) -> None:
        if self.first_day and self.last_day and self.last_day < self.first_day:
            raise ValidationError({"last_day": "The last day must not be before the first."})
        if (
            self.first_day == self.last_day
            and self.from_time is not None
            and self.until_time is not None
            and self.until_time <= self.from_time
        ):
            raise ValidationError({"until_time": "Until must be after from on a single day."})

    @property
    def begins(self) -> dt.datetime:
        return dt.datetime.combine(self.first_day, self.from_time or dt.time.min)

    @property
    def ends(self) -> dt.datetime:
        if self.until_time is None:
            return dt.datetime.combine(self.last_day + dt.timedelta(days=1), dt.time.min)
        return dt.datetime.combine(self.last_day, self.until_time)

    def overlaps(self, begins: dt.datetime, ends: dt.datetime) -> bool:
        return self.begins < ends and begins < self.ends

    def describe(self) -> str:
        """ "Thu Dec 24 to Sat Dec 26", "Tue Dec 8 13:00-15:00", "Fri Dec 11 from 12:00"."""
        first, last = _day_words(self.first_day), _day_words(self.last_day)
        if self.first_day == self.last_day:
            if self.from_time and self.until_time:
                return f"{first} {self.from_time:%H:%M}-{self.until_time:%H:%M}"
            if self.from_time:
                return f"{first} from {self.from_time:%H:%M}"
            if self.until_time:
                return f"{first} until {self.until_time:%H:%M}"
            return first
        if self.from_time:
            first += f" {self.from_time:%H:%M}"
        if self.until_time:
            last += f" {self.until_time:%H:%M}"
        return f"{first} to {last}"


def _run_words(run: list[Shift]) -> str:
    days = WEEKDAY_NAMES[run[0].weekday].title()
    if len(run) > 1:
        days += f"-{WEEKDAY_NAMES[run[-1].weekday].title()}"
    return f"{days} {run[0].hours}"


def _day_words(day: dt.date) -> str:
    return f"{day:%a %b} {day.day}"
