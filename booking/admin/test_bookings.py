"""Partner test bookings: what partners booked with their test keys, for the shop's owners.

Read-only: a test booking holds no seat and reaches nobody (booking/sandbox.py), so there is
nothing for the shop to do with it; the partner moves and cancels it with its test key.
"""

from __future__ import annotations

from django.contrib import admin

from applianceops.lib.admin import ReadOnlyLog
from booking.models import PartnerTestBooking
from tenants.admin import ShopScopedAdmin


@admin.register(PartnerTestBooking)
class PartnerTestBookingAdmin(ReadOnlyLog, ShopScopedAdmin, admin.ModelAdmin):
    list_title = "Partner test bookings"
    """Owners only (ShopScopedAdmin's default), like the scheduler accounts whose keys made them."""

    list_display = [
        "created_at",
        "account",
        "customer_name",
        "scheduled_date",
        "scheduled_time",
        "requested_time_slot",
        "status",
        "work_order_number",
    ]
    # Only the accounts in the list: the plain filter would name every shop's partners.
    list_filter = [("account", admin.RelatedOnlyFieldListFilter), "status"]
    list_select_related = ["account"]
    search_fields = ["customer_name", "work_order_number", "account__name"]
    ordering = ["-created_at"]
    fields = [
        "account",
        "source",
        "status",
        "customer_name",
        "phone",
        "email",
        "address",
        "appliance_type",
        "issue",
        "scheduled_date",
        "scheduled_time",
        "window",
        "requested_time_slot",
        "technician",
        "work_order_number",
        "claim_number",
        "authorization_number",
        "partner_reference",
        "cancel_reason",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(is_test=True)
