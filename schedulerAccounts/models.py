from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from tenants.models import Shop


def default_allowed_fields() -> list[str]:
    return []


class SchedulerAccount(models.Model):
    """A partner's private account at one shop: an API key, portal logins (its agents), its own
    limits."""

    # Fields beyond the public schema an account may be allowed to write.
    EXTRA_FIELDS = (
        "status",
        "priority",
        "dispatcher_notes",
        "partner_reference",
        "duration_minutes",
        "allow_overbook",
    )
    # The ones the owner ticks in `allowed_fields`; allow_overbook follows `may_overbook`.
    WRITABLE_FIELD_CHOICES = [
        ("status", "Status (scheduled or confirmed)"),
        ("priority", "Priority (normal or urgent)"),
        ("dispatcher_notes", "Dispatcher notes"),
        ("partner_reference", "Partner reference"),
        ("duration_minutes", "Duration in minutes"),
    ]

    shop = models.ForeignKey(Shop, on_delete=models.CASCADE, related_name="scheduler_accounts")
    name = models.CharField("partner name", max_length=120)
    is_active = models.BooleanField("active", default=True)

    key_prefix = models.CharField(max_length=24, unique=True, null=True, blank=True, editable=False)
    key_hash = models.CharField(max_length=128, blank=True, editable=False)
    key_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    key_last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    key_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The test key (`ao_test_...`), beside the live one: the same rules and answers, but what it
    # books is a test booking (booking/test_bookings.py). Issued and revoked on its own.
    test_key_prefix = models.CharField(
        max_length=24, unique=True, null=True, blank=True, editable=False
    )
    test_key_hash = models.CharField(max_length=128, blank=True, editable=False)
    test_key_created_at = models.DateTimeField(null=True, blank=True, editable=False)
    test_key_last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    test_key_revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    requests_per_hour = models.PositiveIntegerField(
        default=1000, validators=[MinValueValidator(1), MaxValueValidator(1_000_000)]
    )
    bookings_per_hour = models.PositiveIntegerField(
        default=200, validators=[MinValueValidator(1), MaxValueValidator(100_000)]
    )
    source_tag = models.CharField(
        max_length=60, help_text="Every booking this account makes carries this tag."
    )
    may_override_source = models.BooleanField(
        "may send its own source",
        default=False,
        help_text="Let a `source` in the request replace the tag.",
    )
    allowed_fields = models.JSONField(
        "extra fields it may write", default=default_allowed_fields, blank=True
    )
    may_overbook = models.BooleanField("may book into a full start time", default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    # Never stored: True on the instance a request authenticated with the test key, so every
    # door books, reads, moves and cancels that key's test bookings only.
    test_mode = False

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["shop", "name"], name="unique_account_name_per_shop")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.shop})"

    def clean(self) -> None:
        known = {name for name, _ in self.WRITABLE_FIELD_CHOICES}
        fields = self.allowed_fields
        if not isinstance(fields, list) or not all(field in known for field in fields):
            raise ValidationError(
                {"allowed_fields": f"A list of field names from: {', '.join(sorted(known))}."}
            )

    def may_write(self, field: str) -> bool:
        """Whether this account may send `field`, one of EXTRA_FIELDS."""
        if field == "allow_overbook":
            return self.may_overbook
        return field in (self.allowed_fields or [])

    @property
    def key_status(self) -> str:
        if not self.key_hash:
            return "none"
        return "revoked" if self.key_revoked_at else "active"

    @property
    def test_key_status(self) -> str:
        if not self.test_key_hash:
            return "none"
        return "revoked" if self.test_key_revoked_at else "active"


class PortalAgent(models.Model):
    """One of a partner's people with their own portal login under the partner's account.

    The login is a plain Django user, never staff. An agent who leaves is switched off (the
    user's is_active), not deleted, so the bookings they made still say who made them.
    """

    account = models.ForeignKey(SchedulerAccount, on_delete=models.CASCADE, related_name="agents")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="portal_agent"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["account", "user__username"]
        verbose_name = "portal login"

    def __str__(self) -> str:
        return self.user.get_username()
