from __future__ import annotations

import datetime as dt
import re
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone
from phonenumber_field.modelfields import PhoneNumberField

DEFAULT_TIME_ZONE = "America/Los_Angeles"

# The contract's list, in its order.
DEFAULT_APPLIANCE_TYPES = [
    "Refrigerator",
    "Washer",
    "Dryer",
    "Dishwasher",
    "Range",
    "Microwave",
    "Wall Oven",
    "Cooktop",
    "Garbage Disposal",
    "Other",
]

WEEKDAY_NAMES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]

slug_validator = RegexValidator(
    r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
    "Use lowercase letters, digits and single hyphens, e.g. done-right-appliance.",
)


def validate_time_zone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            "%(value)s is not an IANA time zone, e.g. America/Los_Angeles.",
            params={"value": value},
        ) from None


def default_weekdays() -> list[int]:
    return [0, 1, 2, 3, 4]


def default_appliance_types() -> list[str]:
    return list(DEFAULT_APPLIANCE_TYPES)


def default_zip_codes() -> list[str]:
    return []


# How long a job usually takes at the customer's, by the contract's appliance types: a first
# visit (diagnosis, the common part fitted from the van). The owner edits them per shop.
DEFAULT_JOB_MINUTES = 60
DEFAULT_JOB_MINUTES_BY_APPLIANCE = {
    "Refrigerator": 90,
    "Washer": 90,
    "Dryer": 60,
    "Dishwasher": 90,
    "Range": 60,
    "Microwave": 45,
    "Wall Oven": 60,
    "Cooktop": 60,
    "Garbage Disposal": 45,
    "Other": 60,
}
JOB_MINUTES_MIN, JOB_MINUTES_MAX = 15, 720


def default_job_minutes_by_appliance() -> dict[str, int]:
    return dict(DEFAULT_JOB_MINUTES_BY_APPLIANCE)


class ShopQuerySet(models.QuerySet):
    def public(self):
        """Shops the public may see: inactive ones behave as unknown."""
        return self.filter(is_active=True)

    def public_by_slug(self, slug: str) -> Shop | None:
        """The active shop a public door (API, booking page) names, with its booking settings."""
        return (
            self.public()
            .select_related("booking_settings")
            .filter(slug=slug.strip().lower())
            .first()
        )


def new_facts_version() -> int:
    """A number no earlier state of any shop had: random, not counted, so that an instance
    saved after another change, or a shop made again with a used id, cannot bring one back."""
    return secrets.randbits(62)


class Shop(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(
        max_length=60,
        unique=True,
        validators=[slug_validator],
        help_text="The address of the booking page and the partners' routing identifier.",
    )
    is_active = models.BooleanField("active", default=True)
    time_zone = models.CharField(
        max_length=64, default=DEFAULT_TIME_ZONE, validators=[validate_time_zone]
    )
    phone = PhoneNumberField(blank=True)
    address = models.CharField(max_length=255, blank=True)
    notification_email = models.EmailField(blank=True, help_text="Where new-booking alerts go.")
    created_at = models.DateTimeField(auto_now_add=True)
    # Set anew by every change to what a booking reads about the shop (booking/facts.py): a
    # worker's copy of those facts is good while the row still holds the copy's number.
    facts_version = models.BigIntegerField(default=new_facts_version, db_default=0, editable=False)

    objects = ShopQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # A new number with every change (booking/facts.py: workers' copies of the shop).
        self.facts_version = new_facts_version()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "facts_version"}
        super().save(*args, **kwargs)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def now(self) -> dt.datetime:
        """The current moment on the shop's wall clock."""
        return timezone.now().astimezone(self.tz)

    def today(self) -> dt.date:
        """The shop's date, which is not the server's near midnight."""
        return self.now().date()


class BookingSettings(models.Model):
    """A shop's online-booking settings (Settings -> Online Booking)."""

    shop = models.OneToOneField(Shop, on_delete=models.CASCADE, related_name="booking_settings")
    booking_enabled = models.BooleanField(
        "online booking on",
        default=True,
        help_text="Off: the booking page and the partner API turn customers away.",
    )
    jobs_per_start_time = models.PositiveSmallIntegerField(
        "jobs per start time",
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(50)],
        help_text="How many jobs can start at the same time, while the shop has no active "
        "technicians; with technicians, who is free decides.",
    )
    first_start = models.TimeField("first start time", default=dt.time(8, 0))
    last_start = models.TimeField("last start time", default=dt.time(16, 0))
    minutes_between_starts = models.PositiveSmallIntegerField(
        "minutes between start times",
        default=60,
        validators=[MinValueValidator(15), MaxValueValidator(240)],
    )
    working_weekdays = models.JSONField(
        default=default_weekdays,
        help_text="Days the shop takes jobs: 0 is Monday, 6 is Sunday.",
    )
    min_notice_minutes = models.PositiveIntegerField(
        "minimum notice (minutes)",
        default=120,
        validators=[MaxValueValidator(14 * 24 * 60)],
        help_text="A start time sooner than this, on the shop's clock, cannot be booked.",
    )
    horizon_days = models.PositiveSmallIntegerField(
        "days ahead bookings are taken",
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    appliance_types = models.JSONField(
        default=default_appliance_types,
        help_text="The appliances the shop repairs; 'Other' catches the rest.",
    )
    service_zip_codes = models.JSONField(
        "service area ZIP codes",
        default=default_zip_codes,
        blank=True,
        help_text="Leave empty to take jobs anywhere.",
    )
    default_job_minutes = models.PositiveSmallIntegerField(
        "default job length (minutes)",
        default=DEFAULT_JOB_MINUTES,
        validators=[MinValueValidator(JOB_MINUTES_MIN), MaxValueValidator(JOB_MINUTES_MAX)],
        help_text="For an appliance type without a length of its own, and for the booking "
        "page's calendar before the customer has picked an appliance.",
    )
    job_minutes_by_appliance = models.JSONField(
        "job length by appliance (minutes)",
        default=default_job_minutes_by_appliance,
        blank=True,
        help_text="How long a job on each appliance type takes; a booking may say otherwise.",
    )
    reminder_hours_before = models.PositiveSmallIntegerField(
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
        help_text="When the reminder e-mail goes out before the appointment.",
    )

    class Meta:
        verbose_name = "online booking settings"
        verbose_name_plural = "online booking settings"

    def __str__(self) -> str:
        return f"Online booking for {self.shop}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.first_start and self.last_start and self.first_start > self.last_start:
            errors["last_start"] = "The last start time must not be before the first."
        weekdays = self.working_weekdays
        if not isinstance(weekdays, list) or not all(
            isinstance(day, int) and 0 <= day <= 6 for day in weekdays
        ):
            errors["working_weekdays"] = "A list of weekday numbers, 0 (Monday) to 6 (Sunday)."
        types = self.appliance_types
        if (
            not isinstance(types, list)
            or not types
            or not all(isinstance(t, str) and t.strip() for t in types)
        ):
            errors["appliance_types"] = "At least one appliance type."
        lengths = self.job_minutes_by_appliance
        if not isinstance(lengths, dict) or not all(
            isinstance(minutes, int) and JOB_MINUTES_MIN <= minutes <= JOB_MINUTES_MAX
            for minutes in lengths.values()
        ):
            errors["job_minutes_by_appliance"] = (
                f"Minutes per appliance type, {JOB_MINUTES_MIN} to {JOB_MINUTES_MAX}."
            )
        zips = self.service_zip_codes
        if not isinstance(zips, list) or not all(
            isinstance(z, str) and re.fullmatch(r"\d{5}", z) for z in zips
        ):
            errors["service_zip_codes"] = "Five-digit ZIP codes, e.g. 93534."
        if errors:
            raise ValidationError(errors)

    def job_length(self, appliance: str | None) -> int:
        """Minutes a job on `appliance` takes here; the default when unknown or not listed."""
        minutes = (self.job_minutes_by_appliance or {}).get(appliance or "")
        return minutes if isinstance(minutes, int) else self.default_job_minutes

    def weekday_labels(self) -> str:
        return ", ".join(WEEKDAY_NAMES[d].title() for d in sorted(self.working_weekdays))


class BlackoutDate(models.Model):
    """A day the shop takes no jobs: a holiday or a closure."""

    settings = models.ForeignKey(
        BookingSettings, on_delete=models.CASCADE, related_name="blackout_dates"
    )
    date = models.DateField()
    reason = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["settings", "date"], name="unique_blackout_per_shop")
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}".strip()


class Membership(models.Model):
    """A user's place in a shop: owner (everything) or dispatcher (bookings and calendar)."""

    class Role(models.TextChoices):
        OWNER = "owner", "Owner"
        DISPATCHER = "dispatcher", "Dispatcher"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.DISPATCHER)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "shop"], name="unique_membership")]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}) at {self.shop}"
