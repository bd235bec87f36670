"""Bookings in the admin: the list, the booking page and the dispatch calendar.

Every change to a booking goes through booking.services; this module never writes a row itself.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import itertools
import operator
import zoneinfo
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import (
    Http404,
    HttpResponseNotAllowed,
    HttpResponseRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

from applianceops.lib.client_ip import client_ip
from booking import calendar, slots
from booking.availability import refusal_in_words
from booking.models import Booking, spoken_lookup
from booking.services import (
    EDITABLE_DETAILS,
    BookingError,
    Customer,
    Extras,
    Job,
    SlotFull,
    booking_cancel,
    booking_create,
    booking_reschedule,
    booking_set_status,
    booking_update,
)
from tenants.access import BOOKING_ROLES, OWNER, is_shop_owner, shop_roles
from tenants.admin import ShopScopedAdmin
from tenants.models import Shop

NO_SOURCE = calendar.NO_SOURCE
FEED_MAX_DAYS = 62
CALENDAR_REACH_DAYS = 20 * 366
# The booking page's groups, the same on the add and the change form.
CUSTOMER_FIELDS = ["customer_name", "phone", "email", "address"]
PARTNER_REFERENCES = [
    "source",
    "work_order_number",
    "claim_number",
    "authorization_number",
    "partner_reference",
]


def scoped_shops(request, model_admin):
    shop_ids = model_admin.allowed_shop_ids(request)
    shops = Shop.objects.all()
    return shops if shop_ids is None else shops.filter(pk__in=shop_ids)


# --- List filters -------------------------------------------------------------------------


def _when_range(value: str, today: dt.date) -> tuple[dt.date, dt.date]:
    monday = today - dt.timedelta(days=today.weekday())
    return {
        "today": (today, today),
        "tomorrow": (today + dt.timedelta(days=1), today + dt.timedelta(days=1)),
        "this_week": (monday, monday + dt.timedelta(days=6)),
        "next_week": (monday + dt.timedelta(days=7), monday + dt.timedelta(days=13)),
    }[value]


class WhenFilter(admin.SimpleListFilter):
    """Today, tomorrow and the weeks as the shop's clock reads them, not the server's."""

    title = "when"
    parameter_name = "when"

    def lookups(self, request, model_admin):
        return [
            ("today", "Today"),
            ("tomorrow", "Tomorrow"),
            ("this_week", "This week"),
            ("next_week", "Next week"),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value not in {"today", "tomorrow", "this_week", "next_week"}:
            return queryset
        now = timezone.now()
        zones = (
            scoped_shops(request, self.model_admin)
            .order_by()
            .values_list("time_zone", flat=True)
            .distinct()
        )
        ranges = [
            Q(
                shop__time_zone=zone,
                scheduled_date__range=_when_range(
                    value, now.astimezone(zoneinfo.ZoneInfo(zone)).date()
                ),
            )
            for zone in zones
        ]
        if not ranges:
            return queryset.none()
        return queryset.filter(functools.reduce(operator.or_, ranges))

    def __init__(self, request, params, model, model_admin):
        self.model_admin = model_admin
        super().__init__(request, params, model, model_admin)


class DistinctValueFilter(admin.SimpleListFilter):
    """The values this user's bookings actually have, in one query."""

    field_name = ""
    empty_label = ""

    def lookups(self, request, model_admin):
        values = (
            model_admin.get_queryset(request)
            .order_by(self.field_name)
            .values_list(self.field_name, flat=True)
            .distinct()
        )
        return [(value or "-", value or self.empty_label) for value in values]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(**{self.field_name: "" if value == "-" else value})


class SourceFilter(DistinctValueFilter):
    title = "source"
    parameter_name = "source"
    field_name = "source"
    empty_label = "(no source)"


class ApplianceFilter(DistinctValueFilter):
    title = "appliance"
    parameter_name = "appliance"
    field_name = "appliance_type"
    empty_label = "(none)"


class ShopFilter(admin.SimpleListFilter):
    title = "shop"
    parameter_name = "shop"

    def lookups(self, request, model_admin):
        return [(str(shop.pk), shop.name) for shop in scoped_shops(request, model_admin)]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.filter(shop_id=self.value())


# --- Forms --------------------------------------------------------------------------------


def _parse_time(value):
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def _start_time_choices(booking_settings, current: dt.time | None = None):
    starts = slots.start_times_of(booking_settings)
    if current is not None and current not in starts:
        starts = sorted([*starts, current])
    return [(start.isoformat(), start.strftime("%H:%M")) for start in starts]


NOT_OWNER_OVERBOOK = "Only the shop's owner can overbook."


def _full_hint(request, shop_id: int) -> str:
    """What to do about a full start time, for this user."""
    if is_shop_owner(request, shop_id):
        return "Pick another start time, or tick Overbook to book it anyway."
    return "Pick another start time; only the owner can overbook."


def _error_field(form, exc: BookingError, fallback: str | None) -> str | None:
    return exc.field if exc.field in form.fields else fallback


class BookingAddForm(forms.ModelForm):
    """A job taken by phone, booked through booking_create like every other door."""

    time_slot = forms.CharField(
        label="Start time",
        required=False,
        max_length=16,
        help_text="AM, PM, or a start time like 10:00. Blank: the earliest start with room. "
        "A full choice moves to the next start with room that day.",
    )
    overbook = forms.BooleanField(
        required=False,
        label="overbook",
        help_text="Owners only: book the asked-for start time even when it is full.",
    )

    class Meta:
        model = Booking
        fields = [
            "shop",
            *CUSTOMER_FIELDS,
            "appliance_type",
            "issue",
            "scheduled_date",
            "priority",
            "dispatcher_notes",
            *PARTNER_REFERENCES,
        ]

    request = None  # set by BookingAdmin.get_form

    def clean_time_slot(self):
        try:
            return slots.parse_time_slot(self.cleaned_data["time_slot"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        shop = cleaned["shop"]
        overbook = cleaned.get("overbook", False)
        if overbook and not is_shop_owner(self.request, shop.pk):
            self.add_error("overbook", NOT_OWNER_OVERBOOK)
            return cleaned
        window, time = cleaned["time_slot"]
        try:
            # Written here, not in save_model, so a refusal shows on the form with nothing saved.
            self.instance = booking_create(
                shop=shop,
                customer=Customer(
                    name=cleaned["customer_name"],
                    phone=str(cleaned["phone"]),
                    address=cleaned["address"],
                    email=cleaned.get("email") or "",
                ),
                job=Job(
                    appliance_type=cleaned["appliance_type"],
                    issue=cleaned.get("issue") or "",
                    work_order_number=cleaned.get("work_order_number") or "",
                    claim_number=cleaned.get("claim_number") or "",
                    authorization_number=cleaned.get("authorization_number") or "",
                ),
                slot_request=slots.SlotRequest(
                    date=cleaned["scheduled_date"], window=window, time=time
                ),
                source=cleaned.get("source") or "",
                channel=Booking.Channel.ADMIN,
                client_ip=client_ip(self.request),
                extras=Extras(
                    priority=cleaned.get("priority") or Booking.Priority.NORMAL,
                    dispatcher_notes=cleaned.get("dispatcher_notes") or "",
                    partner_reference=cleaned.get("partner_reference") or "",
                ),
                allow_overbook=overbook and time is not None,
            )
        except BookingError as exc:
            field = {"slug": None, "time_slot": "time_slot"}.get(exc.field, exc.field)
            message = refusal_in_words(exc, shop=shop, day=cleaned["scheduled_date"])
            self.add_error(field if field in self.fields else None, message)
        return cleaned


class BookingChangeForm(forms.ModelForm):
    overbook = forms.BooleanField(
        required=False,
        help_text="Owners only: move into the start time even when it is full.",
    )

    class Meta:
        model = Booking
        fields = [
            *sorted(EDITABLE_DETAILS),
            "scheduled_date",
            "scheduled_time",
            "status",
        ]

    request = None  # set by BookingAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "status" in self.fields:
            # Only the moves the booking service allows from here (confirmed never goes back).
            reachable = {self.instance.status, Booking.Status.CANCELLED, Booking.Status.COMPLETED}
            if self.instance.status == Booking.Status.SCHEDULED:
                reachable.add(Booking.Status.CONFIRMED)
            self.fields["status"].choices = [
                (value, label) for value, label in Booking.Status.choices if value in reachable
            ]
        if "scheduled_time" in self.fields:
            self.fields["scheduled_time"] = forms.TypedChoiceField(
                label="Start time",
                choices=_start_time_choices(
                    self.instance.shop.booking_settings, self.instance.scheduled_time
                ),
                coerce=_parse_time,
                help_text="Moving a booking takes a seat at the new time and frees the old one.",
            )

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        booking = self.instance
        new_date = cleaned.get("scheduled_date", booking.scheduled_date)
        new_time = cleaned.get("scheduled_time", booking.scheduled_time)
        new_status = cleaned.get("status", booking.status)
        overbook = cleaned.get("overbook", False)
        if overbook and not is_shop_owner(self.request, booking.shop_id):
            self.add_error("overbook", NOT_OWNER_OVERBOOK)
            return cleaned
        # The services write here, not in save_model, so a refusal is shown on the form;
        # the admin's change view runs in one transaction with the detail edits saved after.
        try:
            # One savepoint: a refused status change undoes the move made just before it.
            with transaction.atomic():
                moved = (new_date, new_time) != (booking.scheduled_date, booking.scheduled_time)
                if "email" in self.changed_data and (moved or new_status != booking.status):
                    # The e-mail about the change goes to the address typed in this same save.
                    booking_update(booking=booking, email=cleaned.get("email") or "")
                if moved:
                    booking_reschedule(
                        booking=booking,
                        new_date=new_date,
                        new_time=new_time,
                        allow_overbook=overbook,
                    )
                if new_status != booking.status:
                    booking_set_status(booking=booking, status=new_status)
        except SlotFull as exc:
            hint = _full_hint(self.request, booking.shop_id)
            self.add_error("scheduled_time", f"{exc.message}: every seat is taken. {hint}")
        except BookingError as exc:
            message = refusal_in_words(exc, shop=booking.shop, day=new_date)
            self.add_error(_error_field(self, exc, None), message)
        return cleaned


class MoveForm(forms.Form):
    date = forms.DateField()
    time = forms.TimeField()
    overbook = forms.BooleanField(required=False)


# --- CSV ----------------------------------------------------------------------------------

CSV_HEADER = [
    "reference",
    "date",
    "time",
    "window",
    "customer",
    "phone",
    "email",
    "address",
    "appliance",
    "issue",
    "source",
    "WO#",
    "claim #",
    "authorization #",
    "partner reference",
    "status",
    "channel",
    "shop",
    "booked at",
]


def _cell(value: str) -> str:
    # A spreadsheet runs a cell that starts with = + - @ as a formula; customers type these.
    if value and value[0] in "=+-@\t\r":
        return "'" + value
    return value


def _csv_row(booking: Booking) -> list[str]:
    return [
        booking.reference,
        booking.scheduled_date.isoformat(),
        booking.scheduled_time.strftime("%H:%M"),
        booking.window.upper(),
        _cell(booking.customer_name),
        str(booking.phone),
        _cell(booking.email),
        _cell(booking.address),
        _cell(booking.appliance_type),
        _cell(booking.issue),
        _cell(booking.source),
        _cell(booking.work_order_number),
        _cell(booking.claim_number),
        _cell(booking.authorization_number),
        _cell(booking.partner_reference),
        booking.get_status_display(),
        booking.get_channel_display(),
        booking.shop.name,
        booking.created_at.astimezone(booking.shop.tz).strftime("%Y-%m-%d %H:%M"),
    ]


class _Echo:
    def write(self, value):
        return value


def csv_response(bookings, filename: str) -> StreamingHttpResponse:
    """Stream rows as they are read, so a year of bookings does not sit in memory."""
    writer = csv.writer(_Echo())
    rows = itertools.chain(
        [CSV_HEADER],
        (_csv_row(b) for b in bookings.select_related("shop").iterator(chunk_size=2000)),
    )
    # The byte-order mark is how Excel, the tool shops open this in, knows the file is UTF-8;
    # without it José Muñoz arrives as JosÃ© MuÃ±oz.
    lines = itertools.chain(["\ufeff"], (writer.writerow(row) for row in rows))
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- The admin ----------------------------------------------------------------------------


@admin.register(Booking)
class BookingAdmin(ShopScopedAdmin, admin.ModelAdmin):
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
    ordering = ["-scheduled_date", "scheduled_time"]
    actions = ["confirm", "cancel", "mark_completed", "export_selected"]
    change_list_template = "admin/booking/booking/change_list.html"

    # -- list --

    def get_list_display(self, request):
        columns = [
            "date",
            "start",
            "window_short",
            "customer",
            "phone_number",
            "appliance",
            "source_tag",
            "work_order_number",
            "claim_number",
            "authorization",
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

    def get_search_results(self, request, queryset, search_term):
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip():
            results |= queryset.filter(spoken_lookup(search_term))
        return results, may_have_duplicates

    def get_list_filter(self, request):
        filters = [WhenFilter, SourceFilter, "status", ApplianceFilter, "channel"]
        if self._many_shops(request):
            filters.insert(0, ShopFilter)
        return filters

    def _many_shops(self, request) -> bool:
        shop_ids = self.allowed_shop_ids(request)
        return shop_ids is None or len(shop_ids) > 1

    @admin.display(description="date", ordering="scheduled_date")
    def date(self, obj):
        return obj.scheduled_date

    @admin.display(description="customer", ordering="customer_name")
    def customer(self, obj):
        return obj.customer_name

    @admin.display(description="appliance", ordering="appliance_type")
    def appliance(self, obj):
        return obj.appliance_type

    @admin.display(description="time", ordering="scheduled_time")
    def start(self, obj):
        return obj.scheduled_time.strftime("%H:%M")

    @admin.display(description="auth #", ordering="authorization_number")
    def authorization(self, obj):
        # Short: the full "authorization #" header alone would push status off a laptop screen.
        return obj.authorization_number

    @admin.display(description="window", ordering="window")
    def window_short(self, obj):
        return obj.window.upper()

    @admin.display(description="phone", ordering="phone")
    def phone_number(self, obj):
        phone = obj.phone
        return phone.as_national if phone and phone.is_valid() else str(phone)

    @admin.display(description="source", ordering="source")
    def source_tag(self, obj):
        return format_html(
            '<span class="source-tag" style="background:{}">{}</span>',
            calendar.source_colour(obj.source),
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

    @admin.action(description="Confirm selected bookings", permissions=["change"])
    def confirm(self, request, queryset):
        self._each(
            request,
            queryset,
            "Confirmed",
            lambda b: booking_set_status(booking=b, status=Booking.Status.CONFIRMED),
        )

    @admin.action(
        description="Cancel selected bookings (frees their seats)", permissions=["change"]
    )
    def cancel(self, request, queryset):
        self._each(request, queryset, "Cancelled", lambda b: booking_cancel(booking=b))

    @admin.action(description="Mark selected bookings completed", permissions=["change"])
    def mark_completed(self, request, queryset):
        self._each(
            request,
            queryset,
            "Completed",
            lambda b: booking_set_status(booking=b, status=Booking.Status.COMPLETED),
        )

    @admin.action(description="Export selected bookings as CSV", permissions=["view"])
    def export_selected(self, request, queryset):
        return csv_response(queryset, f"bookings-{timezone.localtime():%Y%m%d-%H%M}.csv")

    # -- the booking page --

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = BookingAddForm if obj is None else BookingChangeForm
        form = super().get_form(request, obj, **kwargs)
        form.request = request
        return form

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            job = ["appliance_type", "issue", ("scheduled_date", "time_slot")]
            if request.user.is_superuser or OWNER in shop_roles(request).values():
                job.append("overbook")
            return [
                (None, {"fields": ["shop"]}),
                ("Customer", {"fields": CUSTOMER_FIELDS}),
                ("Job", {"fields": [*job, "priority", "dispatcher_notes"]}),
                ("Partner references", {"fields": PARTNER_REFERENCES}),
            ]
        schedule = [("scheduled_date", "scheduled_time")]
        if obj.holds_seat and is_shop_owner(request, obj.shop_id):
            schedule.append("overbook")
        return [
            ("Customer", {"fields": CUSTOMER_FIELDS}),
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
            ("Partner references", {"fields": PARTNER_REFERENCES}),
            (
                "History",
                {
                    "fields": [
                        "reference",
                        ("channel", "scheduler_account"),
                        "client_ip",
                        "requested_time_slot",
                        "overbooked",
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
            "shop_name",
            "window",
            "appliance_type_original",
            "reference",
            "channel",
            "scheduler_account",
            "client_ip",
            "requested_time_slot",
            "overbooked",
            "reminder_sent_at",
            "created_at",
            "updated_at",
        ]
        if not obj.holds_seat:
            fixed += ["scheduled_date", "scheduled_time", "status"]
        return fixed

    @admin.display(description="shop")
    def shop_name(self, obj):
        return obj.shop.name

    @admin.display(description="scheduler account")
    def scheduler_account(self, obj):
        # Plain text: a dispatcher may not open scheduler accounts, so no link to a 403.
        return obj.account.name if obj.account_id else "-"

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
        booking_update(
            booking=obj,
            **{name: getattr(obj, name) for name in form.changed_data if name in EDITABLE_DETAILS},
        )

    # -- extra pages --

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("calendar/", wrap(self.calendar_view), name="booking_booking_calendar"),
            path("calendar/feed/", wrap(self.feed_view), name="booking_booking_feed"),
            path(
                "calendar/<uuid:booking_id>/move/",
                wrap(self.move_view),
                name="booking_booking_move",
            ),
            path("export/", wrap(self.export_view), name="booking_booking_export"),
            *super().get_urls(),
        ]

    def _shop_for_request(self, request) -> Shop:
        shops = scoped_shops(request, self).select_related("booking_settings")
        wanted = request.GET.get("shop", "")
        if wanted:
            if not wanted.isdigit():
                raise Http404("No such shop.")
            return get_object_or_404(shops, pk=int(wanted))
        shop = shops.order_by("name").first()
        if shop is None:
            raise Http404("You are not a member of any shop.")
        return shop

    def export_view(self, request):
        """The changelist's filtered, searched list, every page of it, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:booking_booking_changelist") + "?e=1")
        return csv_response(changelist.queryset, f"bookings-{timezone.localtime():%Y%m%d-%H%M}.csv")

    def calendar_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        shop = self._shop_for_request(request)
        view = request.GET.get("view") if request.GET.get("view") in calendar.VIEWS else "week"
        today = shop.today()
        try:
            anchor = dt.date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            anchor = today
        if abs((anchor - today).days) > CALENDAR_REACH_DAYS:
            anchor = today  # far-off dates are typos, and the ends of the calendar overflow
        span = calendar.span_for(view, anchor)
        source = request.GET.get("source", "")
        status = request.GET.get("status", "")
        show_cancelled = request.GET.get("cancelled") == "1"

        bookings = calendar.bookings_between(
            self.get_queryset(request), shop, span.first, span.last
        )
        if source == NO_SOURCE:
            # The legend calls an empty source "direct"; a partner may also send that word.
            bookings = bookings.filter(source__in=["", NO_SOURCE])
        elif source:
            bookings = bookings.filter(source=source)
        if status in Booking.Status.values:
            bookings = bookings.filter(status=status)
        elif not show_cancelled:
            bookings = bookings.exclude(status=Booking.Status.CANCELLED)
        cal = calendar.build_calendar(shop=shop, span=span, bookings=bookings)

        params = {"shop": shop.pk, "view": view, "date": anchor.isoformat()}
        filters = {"source": source, "status": status, "cancelled": "1" if show_cancelled else ""}

        def url(**changes) -> str:
            query = {**params, **filters, **changes}
            return "?" + urlencode({k: v for k, v in query.items() if v not in ("", None)})

        for day in cal.days:
            day.url = url(view="day", date=day.date.isoformat())
        all_sources = (
            Booking.objects.filter(shop=shop)
            .order_by("source")
            .values_list("source", flat=True)
            .distinct()
        )
        shops = list(scoped_shops(request, self).order_by("name").values_list("pk", "name")[:200])
        context = {
            **self.admin_site.each_context(request),
            "title": f"{shop.name}: {span.title}",
            "opts": self.model._meta,
            "cal": cal,
            "shop": shop,
            "view": view,
            "today": shop.today(),
            "source": source,
            "status": status,
            "show_cancelled": show_cancelled,
            "statuses": Booking.Status.choices,
            "all_sources": list(dict.fromkeys(s or NO_SOURCE for s in all_sources)),
            "shops": shops if len(shops) > 1 else [],
            "start_time_choices": _start_time_choices(shop.booking_settings),
            "can_overbook": is_shop_owner(request, shop.pk),
            "can_move": self.has_change_permission(request),
            "here": request.get_full_path(),
            "nav": {
                "previous": url(date=span.previous.isoformat()),
                "today": url(date=shop.today().isoformat()),
                "next": url(date=span.following.isoformat()),
                "day": url(view="day"),
                "week": url(view="week"),
                "month": url(view="month"),
            },
            "weekday_names": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
        }
        return TemplateResponse(request, "admin/booking/booking/calendar.html", context)

    def move_view(self, request, booking_id):
        """The move form on a calendar card: the service decides, the calendar shows why."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        booking = get_object_or_404(
            self.get_queryset(request).select_related("shop__booking_settings"), pk=booking_id
        )
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        back = request.POST.get("next", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("admin:booking_booking_calendar")
        form = MoveForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Pick a date and a start time to move the booking to.")
            return HttpResponseRedirect(back)
        new_date, new_time = form.cleaned_data["date"], form.cleaned_data["time"]
        overbook = form.cleaned_data["overbook"]
        if overbook and not is_shop_owner(request, booking.shop_id):
            messages.error(request, NOT_OWNER_OVERBOOK)
            return HttpResponseRedirect(back)
        before = f"{booking.scheduled_date:%a %b %d} {booking.scheduled_time:%H:%M}"
        try:
            booking_reschedule(
                booking=booking, new_date=new_date, new_time=new_time, allow_overbook=overbook
            )
        except SlotFull as exc:
            hint = _full_hint(request, booking.shop_id)
            messages.error(request, f"{booking.customer_name} was not moved: {exc.message}. {hint}")
            return HttpResponseRedirect(back)
        except BookingError as exc:
            message = refusal_in_words(exc, shop=booking.shop, day=new_date)
            messages.error(request, f"{booking.customer_name} was not moved: {message}.")
            return HttpResponseRedirect(back)
        after = f"{booking.scheduled_date:%a %b %d} {booking.scheduled_time:%H:%M}"
        self.log_change(request, booking, f"Moved from {before} to {after} on the calendar.")
        note = " (overbooked)" if booking.overbooked else ""
        messages.success(request, f"Moved {booking.customer_name} to {after}{note}.")
        return HttpResponseRedirect(back)

    def feed_view(self, request):
        """Bookings of one shop between two dates, as JSON, for scripts and calendars."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        shop = self._shop_for_request(request)
        try:
            first = dt.date.fromisoformat(request.GET.get("start", ""))
            last = dt.date.fromisoformat(request.GET.get("end", ""))
        except ValueError:
            return JsonResponse(
                {"error": "start and end must be dates like 2026-12-01", "code": "invalid_field"},
                status=400,
            )
        if last < first or (last - first).days >= FEED_MAX_DAYS:
            return JsonResponse(
                {
                    "error": f"end must be on or after start, at most {FEED_MAX_DAYS} days on",
                    "code": "invalid_field",
                },
                status=400,
            )
        bookings = calendar.bookings_between(self.get_queryset(request), shop, first, last)
        if request.GET.get("cancelled") != "1":
            bookings = bookings.exclude(status=Booking.Status.CANCELLED)
        tz = shop.tz
        return JsonResponse(
            {
                "shop": {
                    "id": shop.pk,
                    "slug": shop.slug,
                    "name": shop.name,
                    "time_zone": shop.time_zone,
                },
                "start": first.isoformat(),
                "end": last.isoformat(),
                "bookings": [
                    {
                        "id": str(b.pk),
                        "reference": b.reference,
                        "url": reverse("admin:booking_booking_change", args=[b.pk]),
                        "start": dt.datetime.combine(
                            b.scheduled_date, b.scheduled_time, tzinfo=tz
                        ).isoformat(),
                        "date": b.scheduled_date.isoformat(),
                        "time": b.scheduled_time.strftime("%H:%M"),
                        "window": b.window,
                        "customer": b.customer_name,
                        "phone": str(b.phone),
                        "appliance": b.appliance_type,
                        "source": b.source,
                        "colour": calendar.source_colour(b.source),
                        "status": b.status,
                        "work_order_number": b.work_order_number,
                        "claim_number": b.claim_number,
                        "authorization_number": b.authorization_number,
                        "channel": b.channel,
                        "overbooked": b.overbooked,
                    }
                    for b in bookings
                ],
            }
        )
