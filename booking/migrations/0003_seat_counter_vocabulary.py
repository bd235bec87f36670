"""One word for one idea: a SeatCounter holds the seats taken at one start time.

Completing a booking now gives its seat back (only scheduled and confirmed bookings hold one),
so the counters are recounted from the bookings that still hold a seat.
"""

from django.db import migrations, models
from django.db.models import Count

SEAT_HOLDING = ["scheduled", "confirmed"]


def recount_seats(apps, schema_editor):
    Booking = apps.get_model("booking", "Booking")
    SeatCounter = apps.get_model("booking", "SeatCounter")
    held = {
        (row["shop_id"], row["scheduled_date"], row["scheduled_time"]): row["n"]
        for row in Booking.objects.filter(status__in=SEAT_HOLDING)
        .values("shop_id", "scheduled_date", "scheduled_time")
        .annotate(n=Count("id"))
    }
    for counter in SeatCounter.objects.all().iterator():
        booked = held.get((counter.shop_id, counter.date, counter.start_time), 0)
        if counter.booked != booked:
            SeatCounter.objects.filter(pk=counter.pk).update(booked=booked)


class Migration(migrations.Migration):
    dependencies = [
        ("booking", "0002_notify_notifications"),
        ("tenants", "0001_initial"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="slotcounter", name="unique_slot_counter"),
        migrations.RemoveConstraint(model_name="slotcounter", name="slot_booked_not_negative"),
        migrations.RenameModel(old_name="SlotCounter", new_name="SeatCounter"),
        migrations.AlterField(
            model_name="seatcounter",
            name="shop",
            field=models.ForeignKey(
                on_delete=models.deletion.CASCADE,
                related_name="seat_counters",
                to="tenants.shop",
            ),
        ),
        migrations.AddConstraint(
            model_name="seatcounter",
            constraint=models.UniqueConstraint(
                fields=("shop", "date", "start_time"), name="unique_seat_counter"
            ),
        ),
        migrations.AddConstraint(
            model_name="seatcounter",
            constraint=models.CheckConstraint(
                condition=models.Q(("booked__gte", 0)), name="seat_booked_not_negative"
            ),
        ),
        migrations.RunPython(recount_seats, migrations.RunPython.noop),
    ]
