from __future__ import annotations

import datetime as dt
import uuid

from django.db import models
from django.db.models import Q
from django.utils.dateformat import time_format
from phonenumber_field.modelfields import PhoneNumberField

from booking import slots
from technicians.models import Technician
from tenants.models import Shop


class SeatCounter(models.Model):
    """Seats taken at one start time of one shop's day.

    Seats are taken with a guarded UPDATE (booked < capacity) so the check and the write are one
    statement: no interleaving of workers can overbook.
    """

    # No index of its own: the unique (shop, date, start_time) below leads with the shop.
    shop = models.ForeignKey(
        Shop, on_delete=models.CASCADE, related_name="seat_counters", db_index=False
    )
    date = models.DateField()
    start_time = models.TimeField()
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["shop", "date", "start_time"], name="unique_seat_counter"
            ),
            models.CheckConstraint(condition=Q(booked__gte=0), name="seat_booked_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.shop} {self.date} {self.start_time:%H:%M}: {self.booked}"


# A booking this close (either side) to another for the same phone or address may be the same
# job booked twice: through two doors, or once by the customer and once by a partner.
DUPLICATE_DAYS = 14


class BookingQuerySet(models.QuerySet):
    def holding_seats(self):
        """Bookings that hold a seat: scheduled or confirmed, and not a partner's test."""
        return self.filter(status__in=Booking.SEAT_HOLDING, is_test=False)

    def live(self):
        """Real bookings: what every calendar, list, export and report of the shop shows.

        A test booking (made with a partner's test key, booking/sandbox.py) is the
        partner's rehearsal: the shop sees it only in the admin's own list of test bookings.
        """
        return self.filter(is_test=False)


class Booking(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        CONFIRMED = "confirmed", "Confirmed"
        COMPLETED = "completed", "Completed"
        CANCELLED = "cancelled", "Cancelled"

    class Window(models.TextChoices):
        AM = slots.AM, "Morning (8-12)"
        PM = slots.PM, "Afternoon (12-5)"

    class Channel(models.TextChoices):
        API = "api", "Partner API"
        BOOKING_PAGE = "booking_page", "Booking page"
        PORTAL = "portal", "Scheduler portal"
        ADMIN = "admin", "Admin"

    class Priority(models.TextChoices):
        NORMAL = "normal", "Normal"
        URGENT = "urgent", "Urgent"

    # The statuses that hold a seat at their start time. A cancelled booking gave its seat back;
    # a completed one has used it. Only these can still be moved, cancelled or changed in status.
    SEAT_HOLDING = (Status.SCHEDULED, Status.CONFIRMED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: each index in Meta leads with the shop (and each costs every INSERT).
    shop = models.ForeignKey(
        Shop, on_delete=models.PROTECT, related_name="bookings", db_index=False
    )

    customer_name = models.CharField(max_length=120)
    phone = PhoneNumberField()
    email = models.EmailField(blank=True)
    address = models.CharField(max_length=300)
    # booking.addresses.address_key(address), kept with the address to find duplicates by.
    address_key = models.CharField(max_length=300, blank=True, editable=False)

    appliance_type = models.CharField(max_length=60)
    appliance_type_original = models.CharField(
        "appliance as sent",
        max_length=100,
        blank=True,
        help_text="The partner's own words when they did not match the shop's types.",
    )
    issue = models.TextField(blank=True)

    scheduled_date = models.DateField()
    scheduled_time = models.TimeField(help_text="Wall-clock start time at the shop.")
    window = models.CharField(max_length=2, choices=Window.choices)
    requested_time_slot = models.CharField(max_length=8, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(
        "job length (minutes)",
        null=True,
        blank=True,
        help_text="Empty: the shop's length for the appliance.",
    )
    technician = models.ForeignKey(
        Technician,
        # A technician with jobs on record is switched off, not deleted.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
        db_index=False,  # Meta.indexes: only the bookings that have one
    )

    # Looked up within a shop only: booking_source_in_time_order.
    source = models.CharField(max_length=60, blank=True)
    work_order_number = models.CharField("WO#", max_length=64, blank=True)
    claim_number = models.CharField("claim #", max_length=64, blank=True)
    authorization_number = models.CharField("authorization #", max_length=64, blank=True)
    partner_reference = models.CharField(max_length=64, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    priority = models.CharField(max_length=6, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.CharField(max_length=12, choices=Channel.choices)
    account = models.ForeignKey(
        "scheduler_accounts.SchedulerAccount",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        db_index=False,  # Meta.indexes: only the bookings that have one
    )
    agent = models.ForeignKey(
        "scheduler_accounts.PortalAgent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bookings",
        db_index=False,  # Meta.indexes: only the bookings that have one
        help_text="The partner's agent who booked it in the portal.",
    )
    dispatcher_notes = models.TextField(blank=True)
    overbooked = models.BooleanField(
        default=False, help_text="Booked into a start time that was already full."
    )
    possible_duplicate_of = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        # No index of its own: nothing looks bookings up by it, and bookings are never deleted.
        db_index=False,
        help_text="When booked, another booking held a seat within two weeks for the same "
        "phone or address.",
    )
    client_ip = models.GenericIPAddressField(null=True, blank=True)
    repeat_visit = models.BooleanField(
        "repeat visit of its work order",
        default=False,
        help_text="Booked on purpose beside another open booking of the same work order (staff "
        "by phone). A partner re-sending the order gets its first booking back instead.",
    )
    cancel_reason = models.CharField(
        "reason for cancelling", max_length=500, blank=True, help_text="As the canceller gave it."
    )
    is_test = models.BooleanField(
        "test booking",
        default=False,
        editable=False,
        help_text="Made with a partner's test key: holds no seat, sends no e-mail, and shows in "
        "no calendar or list of the shop.",
    )

    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        ordering = ["scheduled_date", "scheduled_time", "created_at"]
        indexes = [
            models.Index(fields=["shop", "scheduled_date", "scheduled_time"]),
            # The bookings list and the calendar narrowed to one source, in time order.
            models.Index(
                fields=["shop", "source", "scheduled_date", "scheduled_time"],
                name="booking_source_in_time_order",
            ),
            models.Index(fields=["shop", "-created_at"]),
            # What possible_duplicate_of looks up for every new booking (booking/duplicates.py).
            models.Index(fields=["shop", "phone", "scheduled_date"], name="booking_same_phone"),
            models.Index(
                fields=["shop", "address_key", "scheduled_date"], name="booking_same_address"
            ),
            # Most bookings have no technician, account or agent: indexing only those that do
            # keeps them out of each INSERT and still serves every lookup by one.
            *(
                models.Index(
                    fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"booking_{name}"
                )
                for name in ("technician", "account", "agent")
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(window__in=["am", "pm"]), name="booking_window_am_or_pm"
            ),
            # Work-order dedupe (DESIGN 9): a partner re-sending an order that still holds its
            # seat cannot book it twice, however many requests race; the loser's INSERT fails
            # here and booking_create answers with the open booking instead. Staff booking a
            # second visit on purpose mark it a repeat visit, which this leaves out.
            # Test bookings dedupe among themselves: a partner rehearsing an order with its
            # test key never blocks (or is answered with) the real booking of that order.
            models.UniqueConstraint(
                fields=["shop", "source", "work_order_number", "is_test"],
                condition=Q(status__in=["scheduled", "confirmed"])
                & ~Q(work_order_number="")
                & Q(repeat_visit=False),
                name="one_open_booking_per_work_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_name} on {self.scheduled_date} {self.scheduled_time:%H:%M}"

    @property
    def reference(self) -> str:
        """Short reference a customer can read out on the phone."""
        return str(self.id).split("-")[0].upper()

    @property
    def starts_at(self) -> dt.datetime:
        """The appointment as an aware datetime in the shop's time zone."""
        return dt.datetime.combine(self.scheduled_date, self.scheduled_time, tzinfo=self.shop.tz)

    @property
    def reassigned(self) -> bool:
        """True when the booking did not land where it was asked for."""
        requested = self.requested_time_slot
        if not requested:
            return False
        if requested in (slots.AM, slots.PM):
            return requested != self.window
        return requested != self.scheduled_time.strftime("%H:%M")

    @property
    def holds_seat(self) -> bool:
        return self.status in self.SEAT_HOLDING

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    def window_label(self) -> str:
        return self.Window(self.window).label

    @property
    def asked_for_exact_time(self) -> bool:
        """Booked for an exact time ("10:30"): the customer is told that time, not a window."""
        return ":" in self.requested_time_slot

    def promised_window(self) -> tuple[dt.time, dt.time] | None:
        """The arrival window the customer was promised, in the shop's hours; None when they
        asked for an exact time. The start itself is the shop's business (admin, API)."""
        if self.asked_for_exact_time:
            return None
        (window,) = (
            window
            for window in slots.window_options(self.shop.booking_settings)
            if window.value == self.window
        )
        # Hours changed since the booking was made still promise a window around its start.
        return min(window.first_arrival, self.scheduled_time), max(window.end, self.scheduled_time)

    @property
    def promised_arrival(self) -> str:
        """What the customer is told: "between 8 AM and 12 PM", or "at 10:30 AM"."""
        window = self.promised_window()
        if window is None:
            return f"at {time_format(self.scheduled_time, 'g:i A')}"
        return f"between {slots.clock(window[0])} and {slots.clock(window[1])}"

    @property
    def job_minutes(self) -> int:
        """The job's length: its own, else the shop's for the appliance (older bookings)."""
        return self.duration_minutes or self.shop.booking_settings.job_length(self.appliance_type)

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.job_minutes)


class PartnerTestBooking(Booking):
    """The test bookings alone, for the admin's list of them (booking/admin/test_bookings.py)."""

    class Meta:
        proxy = True
        verbose_name = "partner test booking"


class Occupancy(models.Model):
    """Five minutes of a technician's day taken by an assigned booking that holds a seat.

    The unique (technician, date, time) constraint is what forbids a technician two overlapping
    jobs: booking_create, reschedule and reassignment write a job's rows in the booking's
    transaction, and the insert that would overlap fails, whatever the interleaving of workers.
    The rows sit on a fixed five-minute clock from midnight, not on the shop's start times, so
    a later change of start times cannot line two jobs up past each other. See booking.capacity.
    """

    TICK_MINUTES = 5

    technician = models.ForeignKey(Technician, on_delete=models.CASCADE, related_name="occupancy")
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="occupancy")
    date = models.DateField()
    time = models.TimeField(help_text="The start of a five-minute tick, on the shop's clock.")

    class Meta:
        verbose_name_plural = "occupancy"
        constraints = [
            models.UniqueConstraint(
                fields=["technician", "date", "time"], name="technician_one_job_at_a_time"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.technician} {self.date} {self.time:%H:%M}"


class Notification(models.Model):
    """One e-mail about a booking: written with the booking's change, sent by a task worker.

    The row is the outbox: it commits or rolls back with the booking, so nothing is sent for a
    rolled-back booking and nothing is lost when a worker or the mail server is down. Delivery
    claims the row with a guarded UPDATE, so a duplicated task cannot send twice.
    """

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", "Confirmation to customer"
        REMINDER = "reminder", "Reminder to customer"
        CANCELLED = "cancelled", "Cancellation to customer"
        RESCHEDULED = "rescheduled", "New time to customer"
        SHOP_NEW = "shop_new", "New booking alert to shop"
        SHOP_CANCELLED = "shop_cancelled", "Cancellation alert to shop"
        SHOP_RESCHEDULED = "shop_rescheduled", "New time alert to shop"
        ON_MY_WAY = "on_my_way", "Technician on the way, to customer"
        TECHNICIAN_ADDED = "technician_added", "Job added to a technician's day"
        TECHNICIAN_MOVED = "technician_moved", "Job moved on a technician's day"
        TECHNICIAN_REMOVED = "technician_removed", "Job taken off a technician's day"

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (gave up)"
        SKIPPED = "skipped", "Not sent (out of date)"

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # Whose day an e-mail to a technician is about (the job may since have gone to another).
    technician = models.ForeignKey(
        Technician,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,  # Meta.indexes: only the e-mails to a technician
    )
    recipient = models.EmailField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # The appointment the e-mail is about: a reminder for a time the booking has left is stale.
    scheduled_date = models.DateField()
    scheduled_time = models.TimeField()
    subject = models.CharField(max_length=255, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "e-mail notification"
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(
                fields=["technician"],
                condition=Q(technician__isnull=False),
                name="notification_technician",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.recipient}"

    @property
    def to_customer(self) -> bool:
        return not self.kind.startswith(("shop_", "technician_"))

    @property
    def to_technician(self) -> bool:
        return self.kind.startswith("technician_")


class IdempotencyRecord(models.Model):
    """One Idempotency-Key of one caller: its request's fingerprint and, once known, the answer.

    The unique (scope, key) is what lets only one request with a key run, across any number
    of workers: the others cannot insert their claim (booking/idempotency.py tells the whole
    lifecycle).
    """

    # The caller's key space: "account:<id>" for a scheduler account, else the client's
    # rate-limit bucket and the shop it named.
    scope = models.CharField(max_length=160)
    key = models.CharField(max_length=255)
    # SHA-256 of the operation and the request body: the same key with another body is refused.
    fingerprint = models.CharField(max_length=64)
    # Who runs the request now; a claim taken over after its worker died gets a new one.
    claim = models.UUIDField(default=uuid.uuid4)
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    # The final answer; null while the first request is still running.
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="unique_idempotency_key")
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.key}"
