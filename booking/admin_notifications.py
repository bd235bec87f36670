"""The e-mail log in the admin: what went out, what is waiting, what failed and why.

Kept apart from booking/admin.py (the dispatch calendar); imported from BookingConfig.ready().
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from booking import notifications
from booking.models import Notification
from tenants.access import shops_for


class NotificationStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Notification.Status.choices

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(status=self.value())
        return queryset


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
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
    list_filter = [NotificationStatusFilter, "kind"]
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

    def get_queryset(self, request):
        return super().get_queryset(request).filter(booking__shop__in=shops_for(request.user))

    def has_module_permission(self, request):
        return shops_for(request.user).exists()

    def has_view_permission(self, request, obj=None):
        return shops_for(request.user).exists()

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="booking", ordering="booking__scheduled_date")
    def booking_link(self, obj):
        url = reverse("admin:booking_booking_change", args=[obj.booking_id])
        return format_html(
            '<a href="{}">{} ({})</a>', url, obj.booking.customer_name, obj.booking.reference
        )

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description="Send the selected failed e-mails again")
    def send_again(self, request, queryset):
        count = notifications.send_again(queryset)
        if count:
            self.message_user(request, f"{count} e-mail(s) queued to send again.")
        else:
            self.message_user(
                request, "Only e-mails that failed can be sent again.", level=messages.WARNING
            )
