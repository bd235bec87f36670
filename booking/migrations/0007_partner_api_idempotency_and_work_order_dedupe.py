"""Safe retries for partners (issue 13): Idempotency-Key records, and one open booking per
work order (shop, source, WO#) unless staff book a repeat visit on purpose.

Before the dedupe constraint, bookings that already break it (a partner's re-sent order booked
twice, from before the dedupe) are kept as they are: all but the earliest of each order are
marked repeat visits, so the migration never cancels or changes a customer's booking.
"""

import uuid

from django.db import migrations, models
from django.db.models import Count

SEAT_HOLDING = ["scheduled", "confirmed"]


def mark_earlier_duplicates(apps, schema_editor):
    Booking = apps.get_model("booking", "Booking")
    open_orders = Booking.objects.filter(status__in=SEAT_HOLDING).exclude(work_order_number="")
    doubled = (
        open_orders.values("shop_id", "source", "work_order_number")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    for order in doubled.iterator():
        bookings = open_orders.filter(
            shop_id=order["shop_id"],
            source=order["source"],
            work_order_number=order["work_order_number"],
        ).order_by("created_at", "id")
        later = list(bookings.values_list("id", flat=True))[1:]
        Booking.objects.filter(id__in=later).update(repeat_visit=True)


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0006_technicians_and_occupancy"),
        ("scheduler_accounts", "0001_initial"),
        ("tenants", "0002_start_time_vocabulary"),
    ]

    operations = [
        migrations.CreateModel(
            name="IdempotencyRecord",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("scope", models.CharField(max_length=160)),
                ("key", models.CharField(max_length=255)),
                ("fingerprint", models.CharField(max_length=64)),
                ("claim", models.UUIDField(default=uuid.uuid4)),
                ("claimed_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField(db_index=True)),
                ("status_code", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("body", models.JSONField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.AddField(
            model_name="booking",
            name="cancel_reason",
            field=models.CharField(
                blank=True,
                help_text="As the canceller gave it.",
                max_length=500,
                verbose_name="reason for cancelling",
            ),
        ),
        migrations.AddField(
            model_name="booking",
            name="repeat_visit",
            field=models.BooleanField(
                default=False,
                help_text="Booked on purpose beside another open booking of the same work order (staff by phone). A partner re-sending the order gets its first booking back instead.",
                verbose_name="repeat visit of its work order",
            ),
        ),
        migrations.RunPython(mark_earlier_duplicates, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="booking",
            constraint=models.UniqueConstraint(
                condition=models.Q(
                    ("status__in", ["scheduled", "confirmed"]),
                    models.Q(("work_order_number", ""), _negated=True),
                    ("repeat_visit", False),
                ),
                fields=("shop", "source", "work_order_number"),
                name="one_open_booking_per_work_order",
            ),
        ),
        migrations.AddConstraint(
            model_name="idempotencyrecord",
            constraint=models.UniqueConstraint(
                fields=("scope", "key"), name="unique_idempotency_key"
            ),
        ),
    ]
