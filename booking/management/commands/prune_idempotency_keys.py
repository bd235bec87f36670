"""Delete Idempotency-Key records past their lifetime (IDEMPOTENCY_KEY_HOURS); run daily."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils import timezone

from booking.models import IdempotencyRecord


class Command(BaseCommand):
    help = "Delete Idempotency-Key records whose answers are no longer replayed."

    def handle(self, *args, **options):
        deleted, _ = IdempotencyRecord.objects.filter(expires_at__lte=timezone.now()).delete()
        self.stdout.write(f"Deleted {deleted} expired Idempotency-Key records.")
