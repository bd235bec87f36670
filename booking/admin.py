from django.contrib import admin

from booking.models import Booking


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = [
        "scheduled_date",
        "scheduled_time",
        "customer_name",
        "appliance_type",
        "source",
        "status",
    ]
    list_select_related = ["shop"]
