"""'Jobs per start time' and 'minutes between start times' in the code as on the screen."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("tenants", "0001_initial")]

    operations = [
        migrations.RenameField(
            model_name="bookingsettings", old_name="jobs_per_slot", new_name="jobs_per_start_time"
        ),
        migrations.RenameField(
            model_name="bookingsettings",
            old_name="slot_minutes",
            new_name="minutes_between_starts",
        ),
    ]
