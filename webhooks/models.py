"""Webhook endpoints, the events written for them, and every attempt to deliver one.

An endpoint belongs to a shop. With a scheduler account it hears of that account's bookings
only; without one it is shop-wide (the shop's own systems) and hears of every booking.
"""

from __future__ import annotations

from django.db import models

from booking.models import Booking
from schedulerAccounts.models import SchedulerAccount
from tenants.models import Shop

EVENT_TYPES = [
    ("booking.created", "booking.created: a new booking"),
    ("booking.rescheduled", "booking.rescheduled: moved to another day or time"),
    ("booking.cancelled", "booking.cancelled"),
    ("booking.confirmed", "booking.confirmed"),
    ("booking.completed", "booking.completed: the job is done"),
    ("booking.updated", "booking.updated: details edited (customer, job, technician...)"),
]
ALL_EVENTS = [name for name, _ in EVENT_TYPES]


def all_events() -> list[str]:
    return list(ALL_EVENTS)


class WebhookEndpoint(models.Model):
    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="webhook_endpoints")
    account = models.ForeignKey(
        SchedulerAccount,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="webhook_endpoints",
        verbose_name="scheduler account",
        help_text="Empty: shop-wide, for the shop's own systems; it hears of every booking.",
    )
    url = models.URLField("URL", max_length=500)
    events = models.JSONField(default=all_events)
    is_active = models.BooleanField("active", default=True)
    # Kept readable: every delivery is signed with it. Shown to people once, when made.
    secret = models.CharField(max_length=64, editable=False)
    secret_created_at = models.DateTimeField(null=True, editable=False)
    # The first failure since the last success: 24 hours of that switches the endpoint off.
    failing_since = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_at = models.DateTimeField(null=True, blank=True, editable=False)
    disabled_reason = models.CharField(max_length=200, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["shop", "url"]
        verbose_name = "webhook endpoint"
        indexes = [models.Index(fields=["shop", "is_active"], name="webhook_endpoint_shop_active")]

    def __str__(self) -> str:
        return self.url

    @property
    def receives(self) -> str:
        return self.account.name if self.account_id else "the whole shop"


class EventSequence(models.Model):
    """The last sequence number given to an event of a booking (bumped by a guarded UPDATE)."""

    booking = models.OneToOneField(
        Booking, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"{self.booking_id}: {self.last}"


class WebhookEvent(models.Model):
    """One change of one booking, as the JSON body every endpoint that wants it is sent."""

    id = models.CharField(max_length=40, primary_key=True)
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="webhook_events")
    type = models.CharField(max_length=40)
    sequence = models.PositiveIntegerField()
    # The exact bytes signed and sent, the same on every try.
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.type} #{self.sequence}"


class WebhookDelivery(models.Model):
    """One event for one endpoint: the outbox row a task worker sends and retries."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting"
        SENDING = "sending", "Sending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    event = models.ForeignKey(WebhookEvent, on_delete=models.CASCADE, related_name="deliveries")
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "webhook delivery"
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event", "endpoint"], name="one_delivery_per_endpoint")
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due")]

    def __str__(self) -> str:
        return f"{self.event.type} to {self.endpoint.url}"


class WebhookAttempt(models.Model):
    """One POST of a delivery and what came back: the log the owner and partner read."""

    delivery = models.ForeignKey(
        WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log"
    )
    at = models.DateTimeField("tried at")
    status_code = models.PositiveSmallIntegerField("answer", null=True, blank=True)
    duration_ms = models.PositiveIntegerField("took (ms)", default=0)
    response_excerpt = models.CharField("what it said", max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"Try at {self.at:%H:%M:%S} UTC"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
