"""The bookings admin: the list, its actions and the booking page.

Every change to a booking goes through booking.services; this module never writes a row itself.
The calendar, feed, move and export pages come from BookingPages (pages.py).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.utils.dateformat import time_format
from django.utils.html import format_html, format_html_join

from booking import slots
from booking.admin.board_pages import BoardPages
from booking.admin.csv_export import csv_response
from booking.admin.filters import (
    ApplianceFilter,
    PossibleDuplicateFilter,
    ShopFilter,
    SourceFilter,
    WhenFilter,
)
from booking.admin.forms import (
    CUSTOMER_FIELDS,
    PARTNER_REFERENCES,
    BookingAddForm,
    BookingChangeForm,
    bookable_technicians,
)
from booking.admin.pages import BookingPages
from booking.admin.paging import BookingChangeList, CappedCountPaginator
from booking.admin.phone_booking import PhoneBookingPages
from booking.admin.source_colours import NO_SOURCE, source_colour
from booking.admin.source_report import SourceReportPages
from booking.models import Booking
from booking.phones import spoken_phone
from booking.search import spoken_lookup
from booking.services import (
    EDITABLE_DETAILS,
    BookingError,
    booking_cancel,
    booking_set_status,
    booking_update,
)
from tenants.access import BOOKING_ROLES, OWNER, is_shop_owner, shop_roles
from tenants.admin import ShopScopedAdmin

# Sorting by the "when" column: the date, then the start time ("2026-12-07 09:00:00" sorts as
# text on SQLite and PostgreSQL alike), so one day's bookings never come in id order.
WHEN_ORDER = Concat("scheduled_date", Value(" "), "scheduled_time", output_field=models.CharField())

# The date drill-down's last year: it needs the year after the one shown.
LAST_LISTED_YEAR = 9998


@admin.register(Booking)
class BookingAdmin(
    SourceReportPages,
    BoardPages,
    BookingPages,
    PhoneBookingPages,
    ShopScopedAdmin,
    admin.ModelAdmin,
):
    shop_roles = BOOKING_ROLES
    list_display_links = ["customer"]
    search_fields = [
        "customer_name",
        "phone",
        "address",
        "work_order_number",
        "claim_number",
    ]
    date_hierarchy = "scheduled_date"
    list_select_related = ["shop"]
    list_per_page = 100
    # The full count is a second COUNT over every booking on each page view; not worth it.
    show_full_result_count = False
    # And the filtered count stops counting at a cap (paging.py).
    paginator = CappedCountPaginator
    # Time order: the list opens on today and the days after it (WhenFilter).
    ordering = ["scheduled_date", "scheduled_time"]
    actions = ["confirm", "cancel", "mark_completed", "export_selected"]
    change_list_template = "admin/booking/booking/change_list.html"

    # -- list --

    def get_queryset(self, request):
        # The list, calendar, feed, export and booking pages: a partner's test bookings are
        # its rehearsal, in the admin's list of them (test_bookings.py) and nowhere else.
        return super().get_queryset(request).live()

    def _of_a_shop_in_another_role(self, request, object_id) -> bool:
        # A test booking's page is missing for everyone, not for want of a role.
        return super()._of_a_shop_in_another_role(request, object_id) and not (
            Booking.objects.filter(pk=object_id, is_test=True).exists()
        )

    def get_list_display(self, request):
        columns = [
            "when",
            "customer",
            "phone_number",
            "address",
            "appliance",
            "source_tag",
            "references",
            "status",
            "channel",
        ]
        if self._many_shops(request):
            columns.append("shop")
        return columns

    def changelist_view(self, request, extra_context=None):
        # Django's "Select booking to change" is not what a dispatcher is doing here.
        context = {"title": "Bookings", "subtitle": None, **(extra_context or {})}
        return super().changelist_view(request, context)

    def get_changelist(self, request, **kwargs):
        return BookingChangeList

    def get_ordering(self, request):
        if request.GET.get(WhenFilter.parameter_name) == "past":
            return ["-scheduled_date", "-scheduled_time"]  # the latest first, going back
        return super().get_ordering(request)

    def get_changelist_instance(self, request):
        # Django's date drill-down computes the day after the one picked: past 9998 it
        # overflows (a 500). Refused like any bad filter: the list, saying why.
        year = request.GET.get(f"{self.date_hierarchy}__year", "").strip()
        if year.isdigit() and not 1 <= int(year) <= LAST_LISTED_YEAR:
            messages.error(request, f"The year {year[:12]} is out of range: showing every date.")
            raise IncorrectLookupParameters(f"year {year[:12]} out of range")
        return super().get_changelist_instance(request)

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results |= queryset.filter(spoken_lookup(search_term))
        return results, may_have_duplicates

    def get_list_filter(self, request):
        filters = [
            WhenFilter,
            SourceFilter,
            "status",
            ApplianceFilter,
            "channel",
            PossibleDuplicateFilter,
        ]
        if self._many_shops(request):
            filters.insert(0, ShopFilter)
        return filters

    def _many_shops(self, request) -> bool:
        shop_ids = self.allowed_shop_ids(request)
        return shop_ids is None or len(shop_ids) > 1

    @admin.display(description="when", ordering=WHEN_ORDER)
    def when(self, obj):
        # The weekday is what a dispatcher plans by; the year only when it is not this one.
        # The time is 12-hour, as the calendar shows it, under the day (admin.css).
        day = obj.scheduled_date
        same_year = day.year == timezone.localdate().year
        return format_html(
            '<span class="when-day">{}</span> <span class="when-time">{}</span>',
            date_format(day, "D M j" if same_year else "D M j, Y"),
            time_format(obj.scheduled_time, "g:i A"),
        )

    @admin.display(description="customer", ordering="customer_name")
    def customer(self, obj):
        return obj.customer_name

    @admin.display(description="appliance", ordering="appliance_type")
    def appliance(self, obj):
        return obj.appliance_type

    @admin.display(description="WO# / claim #", ordering="work_order_number")
    def references(self, obj):
        # One column for the partner's numbers: most bookings have one or none of the three.
        numbers = [
            (label, number)
            for label, number in [
                ("WO#", obj.work_order_number),
                ("claim #", obj.claim_number),
                ("auth #", obj.authorization_number),
            ]
            if number
        ]
        return format_html_join("", '<span class="reference">{} {}</span>', numbers) or "-"

    @admin.display(description="phone", ordering="phone")
    def phone_number(self, obj):
        return format_html('<a href="tel:{}">{}</a>', obj.phone, spoken_phone(obj.phone))

    @admin.display(description="source", ordering="source")
    def source_tag(self, obj):
        return format_html(
            '<span class="source-tag" style="background:{}">{}</span>',
            source_colour(obj.source),
            obj.source or NO_SOURCE,
        )

    # -- actions --

    def _each(self, request, queryset, verb: str, change) -> None:
        done, refused = 0, []
        for booking in queryset.select_related("shop"):
            try:
                change(booking)
            except BookingError as exc:
                refused.append(f"{booking.customer_name} ({booking.scheduled_date}): {exc.message}")
            else:
                self.log_change(request, booking, [{"changed": {"fields": ["status"]}}])
                done += 1
        if done:
            self.message_user(
                request, f"{verb} {done} booking{'s' if done != 1 else ''}.", messages.SUCCESS
            )
        if refused:
            shown = " ".join(refused[:5]) + (" …" if len(refused) > 5 else "")
            self.message_user(request, f"Not changed: {shown}", messages.WARNING)

    def _set_status(self, request, queryset, status: str, verb: str) -> None:
        self._each(request, queryset, verb, lambda b: booking_set_status(booking=b, status=status))

    @admin.action(description="Confirm selected bookings", permissions=["change"])
    def confirm(self, request, queryset):
        self._set_status(request, queryset, Booking.Status.CONFIRMED, "Confirmed")

    @admin.action(
        description="Cancel selected bookings (frees their seats)", permissions=["change"]
    )
    def cancel(self, request, queryset):
        self._each(request, queryset, "Cancelled", lambda b: booking_cancel(booking=b))

    @admin.action(description="Mark selected bookings completed", permissions=["change"])
    def mark_completed(self, request, queryset):
        self._set_status(request, queryset, Booking.Status.COMPLETED, "Completed")

    @admin.action(description="Export selected bookings as CSV", permissions=["view"])
    def export_selected(self, request, queryset):
        return csv_response(queryset)

    # -- the booking page --

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = BookingAddForm if obj is None else BookingChangeForm
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            job = ["appliance_type", "issue", ("scheduled_date", "time_slot")]
            if bookable_technicians(request).exists():
                job.append("technician")
            if request.user.is_superuser or OWNER in shop_roles(request).values():
                job.append("overbook")
            return [
                (None, {"fields": ["shop"]}),
                ("Customer", {"fields": CUSTOMER_FIELDS}),
                ("Job", {"fields": [*job, "priority", "dispatcher_notes"]}),
                ("Partner references", {"fields": PARTNER_REFERENCES}),
            ]
        schedule = [("scheduled_date", "scheduled_time")]
        if obj.technician_id or obj.shop.technicians.exists():
            schedule.append(("technician", "job_end"))
        if obj.overbooked:
            schedule.append("overbooked_mark")
        if obj.holds_seat and is_shop_owner(request, obj.shop_id):
            schedule.append("overbook")
        customer = CUSTOMER_FIELDS
        if obj.possible_duplicate_of_id:
            customer = ["duplicate_mark", *CUSTOMER_FIELDS]
        # Shown only when they say something, like the overbooked mark.
        references = ["repeat_visit_mark"] * obj.repeat_visit + PARTNER_REFERENCES
        cancelled = ["cancel_reason"] if obj.cancel_reason else []
        return [
            ("Customer", {"fields": customer}),
            (
                "Job",
                {
                    "fields": [
                        "shop_name",
                        *schedule,
                        "window",
                        "status",
                        "priority",
                        ("appliance_type", "appliance_type_original"),
                        "issue",
                        "duration_minutes",
                        "dispatcher_notes",
                    ]
                },
            ),
            ("Partner references", {"fields": references}),
            (
                "History",
                {
                    "fields": [
                        "reference",
                        ("channel", "scheduler_account", "portal_agent"),
                        "client_ip",
                        "requested_time_slot",
                        *cancelled,
                        "reminder_sent_at",
                        ("created_at", "updated_at"),
                    ]
                },
            ),
        ]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = [
            "job_end",
            "shop_name",
            "window",
            "appliance_type_original",
            "reference",
            "channel",
            "scheduler_account",
            "portal_agent",
            "client_ip",
            "requested_time_slot",
            "overbooked_mark",
            "repeat_visit_mark",
            "cancel_reason",
            "reminder_sent_at",
            "created_at",
            "updated_at",
            "duplicate_mark",
        ]
        if not obj.holds_seat:
            fixed += ["scheduled_date", "scheduled_time", "status", "technician"]
        return fixed

    @admin.display(description="until")
    def job_end(self, obj):
        return f"{slots.clock(obj.ends_at.time())} ({obj.job_minutes} minutes)"

    @admin.display(description="shop")
    def shop_name(self, obj):
        return obj.shop.name

    @admin.display(description="scheduler account")
    def scheduler_account(self, obj):
        # Plain text: a dispatcher may not open scheduler accounts, so no link to a 403.
        return obj.account.name if obj.account_id else "-"

    @admin.display(description="booked by")
    def portal_agent(self, obj):
        # The partner's person who booked it in the portal: the one to call back about it.
        return obj.agent.user.get_username() if obj.agent_id else "-"

    @admin.display(description="overbooked")
    def overbooked_mark(self, obj):
        # Shown only on an overbooked booking: a "no" mark on every other one reads as a warning.
        return format_html(
            '<strong class="overbooked-mark">{}</strong>: booked into a start time that was '
            "already full.",
            "Overbooked",
        )

    @admin.display(description="repeat visit")
    def repeat_visit_mark(self, obj):
        return format_html(
            "<strong>{}</strong>: booked on purpose beside another open booking of WO# {}.",
            "Repeat visit",
            obj.work_order_number,
        )

    @admin.display(description="possible duplicate")
    def duplicate_mark(self, obj):
        other = obj.possible_duplicate_of
        if other is None:
            return "-"
        same = [
            what
            for what, matches in [
                ("phone", other.phone == obj.phone),
                ("address", other.address_key == obj.address_key),
            ]
            if matches
        ]
        return format_html(
            '<strong class="duplicate-mark">Possible duplicate</strong> of '
            '<a href="{}">{}, {} {}</a> (ref {}, {}): same {}.',
            reverse("admin:booking_booking_change", args=[other.pk]),
            other.customer_name,
            date_format(other.scheduled_date, "D M j"),
            time_format(other.scheduled_time, "g:i A"),
            other.reference,
            other.get_status_display().lower(),
            " and ".join(same) or "details when it was booked",
        )

    @admin.display(description="reference")
    def reference(self, obj):
        return obj.reference

    def has_delete_permission(self, request, obj=None):
        # Deleting would leak the seat and the partner's record; cancel instead.
        return False

    def save_model(self, request, obj, form, change):
        self.check_shop(request, obj)
        if not change:
            return  # booking_create wrote it while the form was validated
        details = EDITABLE_DETAILS - form.applied
        booking_update(
            booking=obj,
            **{name: getattr(obj, name) for name in form.changed_data if name in details},
        )
