"""The e-mail log in the admin: what went out, what is waiting, what failed and why."""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from applianceops.lib.admin import ReadOnlyLog
from booking import notifications
from booking.models import Notification
from tenants.access import BOOKING_ROLES, OWNER_ONLY, shop_ids_with
from tenants.admin import ShopScopedAdmin


@admin.register(Notification)
class NotificationAdmin(ReadOnlyLog, ShopScopedAdmin, admin.ModelAdmin):
    list_title = "E-mail notifications"
    # Dispatchers too: they answer the customer who asks whether the confirmation went out.
    shop_roles = BOOKING_ROLES
    shop_field = "booking__shop"
    list_display = [
        "created_at",
        "kind",
        "recipient",
        "booking_link",
        "status",
        "attempts",
        "short_error",
        "next_attempt_at",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["booking__shop"]
    search_fields = ["recipient", "booking__customer_name", "subject"]
    date_hierarchy = "created_at"
    actions = ["send_again"]
    fields = [
        "booking_link",
        "kind",
        "recipient",
        "subject",
        "status",
        "attempts",
        "last_error",
        "next_attempt_at",
        "sent_at",
        "created_at",
    ]
    readonly_fields = fields

    def has_resend_permission(self, request) -> bool:
        owned = shop_ids_with(request, OWNER_ONLY)
        return owned is None or bool(owned)

    @admin.display(description="booking", ordering="booking__scheduled_date")
    def booking_link(self, obj):
        url = reverse("admin:booking_booking_change", args=[obj.booking_id])
        return format_html(
            '<a href="{}">{} ({})</a>', url, obj.booking.customer_name, obj.booking.reference
        )

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description="Send the selected failed e-mails again", permissions=["resend"])
    def send_again(self, request, queryset):
        owned = shop_ids_with(request, OWNER_ONLY)
        if owned is not None:
            # An owner of one shop who dispatches for another resends only their own shop's.
            queryset = queryset.filter(booking__shop__in=owned)
        count = notifications.send_again(queryset)
        if count:
            self.message_user(request, f"{count} e-mail(s) queued to send again.")
        else:
            self.message_user(
                request, "Only e-mails that failed can be sent again.", level=messages.WARNING
            )
