"""Possible duplicates: each booking keeps its address as a key two spellings share, and the one
booking it may duplicate; both lookups are indexed. Existing bookings get their address key."""

import django.db.models.deletion
from django.db import migrations, models

# A pure function of the address: the key written now is the key new bookings are compared by.
from booking.addresses import address_key


def fill_address_keys(apps, schema_editor):
    Booking = apps.get_model("booking", "Booking")
    batch = []
    for booking in Booking.objects.only("pk", "address").iterator(chunk_size=2000):
        booking.address_key = address_key(booking.address)
        batch.append(booking)
        if len(batch) == 2000:
            Booking.objects.bulk_update(batch, ["address_key"])
            batch = []
    Booking.objects.bulk_update(batch, ["address_key"])


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0003_seat_counter_vocabulary"),
        ("scheduler_accounts", "0001_initial"),
        ("tenants", "0002_start_time_vocabulary"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="address_key",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name="booking",
            name="possible_duplicate_of",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                help_text="When booked, another booking held a seat within two weeks for the same phone or address.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="booking.booking",
            ),
        ),
        # Before the indexes: they are built once over the filled column.
        migrations.RunPython(fill_address_keys, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                fields=["shop", "phone", "scheduled_date"], name="booking_same_phone"
            ),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                fields=["shop", "address_key", "scheduled_date"], name="booking_same_address"
            ),
        ),
    ]
