"""The booking page's forms (a new booking, a change) and the calendar card's move form.

They call the booking services while they validate, so a refusal shows on the form in the
dispatcher's words and nothing is saved.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html

from applianceops.lib.client_ip import client_ip
from booking import refusals, slots
from booking.admin.phone_booking import (
    FIRST_FREE,
    earlier_bookings_html,
    parse_day,
    start_time_options,
)
from booking.inputs import MultiLineField, guard_text_fields
from booking.models import Booking
from booking.phones import spoken_phone
from booking.services import (
    EDITABLE_DETAILS,
    BookingError,
    Customer,
    Extras,
    Job,
    SlotFull,
    TechnicianUnavailable,
    booking_assign,
    booking_create,
    booking_reschedule,
    booking_set_status,
    booking_update,
)
from technicians.models import Technician
from tenants.access import BOOKING_ROLES, is_shop_owner, shop_ids_with
from tenants.models import Shop

# The booking page's groups, the same on the add and the change form.
CUSTOMER_FIELDS = ["customer_name", "phone", "email", "address"]
PARTNER_REFERENCES = [
    "source",
    "work_order_number",
    "claim_number",
    "authorization_number",
    "partner_reference",
]
# The free-text fields that keep their lines; every other text field is one line.
MULTI_LINE = {"issue": MultiLineField, "dispatcher_notes": MultiLineField}


def _parse_time(value):
    return value if isinstance(value, dt.time) else dt.time.fromisoformat(value)


def start_time_choices(booking_settings, current: dt.time | None = None):
    """The shop's start times as choices, with `current` kept if the hours have changed."""
    starts = slots.start_times_of(booking_settings)
    if current is not None and current not in starts:
        starts = sorted([*starts, current])
    return [(start.isoformat(), slots.clock(start)) for start in starts]


NOT_OWNER_OVERBOOK = "Only the shop's owner can overbook."


def full_hint(request, shop_id: int) -> str:
    """What to do about a full start time, for this user."""
    if is_shop_owner(request, shop_id):
        return "Pick another start time, or tick Overbook to book it anyway."
    return "Pick another start time; only the owner can overbook."


def _error_field(form, exc: BookingError, fallback: str | None) -> str | None:
    return exc.field if exc.field in form.fields else fallback


def technician_field(technicians) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=technicians,
        required=False,
        label="technician",
        empty_label="Nobody yet (unassigned)",
    )


def bookable_technicians(request):
    """Active technicians of the shops the user books for: the add form's choices."""
    shop_ids = shop_ids_with(request, BOOKING_ROLES)
    technicians = Technician.objects.active().select_related("shop")
    return technicians if shop_ids is None else technicians.filter(shop_id__in=shop_ids)


class PhoneWithEarlierBookings(forms.TextInput):
    """The phone input, and under it the caller's earlier bookings at the shop."""

    earlier_html = ""  # set by BookingAddForm; the add page's script refreshes it as one types

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        return format_html(
            '{}<div id="earlier-bookings" class="earlier-bookings" aria-live="polite">{}</div>',
            field,
            self.earlier_html,
        )


def appliance_choices(shops) -> list[tuple[str, str]]:
    """The shops' appliance types in their order, each once; nothing picked to begin with."""
    types = dict.fromkeys(t for shop in shops for t in shop.booking_settings.appliance_types)
    return [("", "Choose the appliance"), *[(t, t) for t in types]]


class BookingAddForm(forms.ModelForm):
    """A job taken by phone, booked through booking_create like every other door.

    The appliance is one of the shop's types; the start time one of the shop's, labelled with
    the seats it has left on the date asked for; the caller's earlier bookings show under the
    phone. Each is rendered here, and static/js/admin-phone-booking.js refreshes the last two
    as the dispatcher types.
    """

    time_slot = forms.ChoiceField(
        label="Start time",
        required=False,
        error_messages={"invalid_choice": "Pick one of the shop's start times."},
    )
    overbook = forms.BooleanField(
        required=False,
        label="overbook",
        help_text="Owners only: book the asked-for start time even when it is full.",
    )
    technician = technician_field(Technician.objects.none())

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
        widgets = {
            "phone": PhoneWithEarlierBookings(attrs={"type": "tel", "autocomplete": "off"}),
            "scheduled_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

        field_classes = MULTI_LINE

    class Media:
        js = ["js/admin-phone-booking.js"]

    request = None  # set by BookingAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        shops = self.fields["shop"].queryset.select_related("booking_settings")
        shop = self._picked_shop(shops)
        self.fields["appliance_type"] = forms.ChoiceField(
            label="Appliance", choices=appliance_choices([shop] if shop else shops[:50])
        )
        time_slot = self.fields["time_slot"]
        if shop is None:
            time_slot.choices, time_slot.help_text = [FIRST_FREE], "Pick the shop first."
        else:
            day = parse_day(self._typed("scheduled_date"))
            time_slot.choices, time_slot.help_text = start_time_options(shop, day)
        time_slot.widget.attrs["data-url"] = reverse("admin:booking_booking_add_times")
        phone = self.fields["phone"].widget
        phone.attrs["data-url"] = reverse("admin:booking_booking_add_earlier")
        phone.earlier_html = earlier_bookings_html(shop, self._typed("phone"))
        guard_text_fields(self)
        technicians = bookable_technicians(self.request)
        self.fields["technician"].queryset = technicians.filter(shop=shop) if shop else technicians
        self.fields["technician"].empty_label = "The fairest free one"
        self.fields["technician"].help_text = (
            "Only with an exact start time. An owner's Overbook puts the job on them even "
            "outside their shift or skills, never over another job."
        )

    def _typed(self, name: str):
        """What the form holds for `name`: as sent, else as the page was opened with."""
        return self.data.get(name) if self.is_bound else self.initial.get(name)

    def _picked_shop(self, shops) -> Shop | None:
        """The shop sent or preset (one of the user's), the only one a user has, else None."""
        try:
            return shops.get(pk=self._typed("shop"))
        except (Shop.DoesNotExist, ValueError, TypeError, ValidationError):
            pass
        only = list(shops[:2])
        return only[0] if len(only) == 1 else None

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
        technician = cleaned.get("technician")
        if technician is not None and (time is None or technician.shop_id != shop.pk):
            message = "Pick an exact start time to book on a chosen technician."
            if technician.shop_id != shop.pk:
                message = f"{technician} does not work for {shop}."
            self.add_error("technician", message)
            return cleaned
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
                technician=technician,
            )
        except BookingError as exc:
            field = {"slug": None, "time_slot": "time_slot"}.get(exc.field, exc.field)
            message = refusals.for_dispatcher(exc)
            self.add_error(field if field in self.fields else None, message)
        return cleaned


# A search link every phone and desktop opens in its maps app or site; no key, no tracking id.
MAPS_SEARCH = "https://www.google.com/maps/search/?"


class PhoneWithCallLink(forms.TextInput):
    """The phone input, and beside it the saved number as a tap-to-call link."""

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        # A PhoneNumber as saved; what was typed into a form sent back with errors is a str.
        if not isinstance(value, phonenumbers.PhoneNumber):
            return field
        if not phonenumbers.is_possible_number(value):
            return field
        e164 = phonenumbers.format_number(value, phonenumbers.PhoneNumberFormat.E164)
        link = format_html(
            '<a class="call-link" href="tel:{}">Call {}</a>', e164, spoken_phone(value)
        )
        return format_html("{} {}", field, link)


class AddressWithMapLink(forms.TextInput):
    """The address input, and beside it a link that opens the saved address on a map."""

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        if not value:
            return field
        url = MAPS_SEARCH + urlencode({"api": "1", "query": value})
        link = format_html(
            '<a class="map-link" href="{}" target="_blank" rel="noopener">Open on a map</a>', url
        )
        return format_html("{} {}", field, link)


class BookingChangeForm(forms.ModelForm):
    overbook = forms.BooleanField(
        required=False,
        help_text="Owners only: move into the start time even when it is full.",
    )
    technician = technician_field(Technician.objects.none())

    class Meta:
        model = Booking
        fields = [
            *sorted(EDITABLE_DETAILS),
            "scheduled_date",
            "scheduled_time",
            "status",
        ]
        widgets = {
            "phone": PhoneWithCallLink(attrs={"type": "tel"}),
            "address": AddressWithMapLink(attrs={"class": "vTextField"}),
        }
        field_classes = MULTI_LINE

    request = None  # set by BookingAdmin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Details the services wrote while the form was cleaned; save_model leaves them be.
        self.applied: set[str] = set()
        booking = self.instance
        if "status" in self.fields:
            # Only the moves the booking service allows from here (confirmed never goes back).
            reachable = {booking.status, Booking.Status.CANCELLED, Booking.Status.COMPLETED}
            if booking.status == Booking.Status.SCHEDULED:
                reachable.add(Booking.Status.CONFIRMED)
            self.fields["status"].choices = [
                (value, label) for value, label in Booking.Status.choices if value in reachable
            ]
        if "scheduled_time" in self.fields:
            self.fields["scheduled_time"] = forms.TypedChoiceField(
                label="Start time",
                choices=start_time_choices(booking.shop.booking_settings, booking.scheduled_time),
                coerce=_parse_time,
                help_text="Moving a booking takes a seat at the new time and frees the old one.",
            )
        guard_text_fields(self)
        self.fields["technician"].queryset = Technician.objects.filter(shop=booking.shop_id).filter(
            Q(is_active=True) | Q(pk=booking.technician_id)
        )
        self.fields["technician"].help_text = (
            "Moving a job keeps its technician when they are free then. An owner's Overbook "
            "puts it on a chosen one outside their shift or skills, never over another job."
        )
        self.initial["technician"] = booking.technician_id

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        booking = self.instance
        overbook = cleaned.get("overbook", False)
        if overbook and not is_shop_owner(self.request, booking.shop_id):
            self.add_error("overbook", NOT_OWNER_OVERBOOK)
            return cleaned
        # The services write here, not in save_model, so a refusal is shown on the form;
        # the admin's change view runs in one transaction with the detail edits saved after.
        try:
            # One savepoint: a refused status change undoes the move made just before it.
            with transaction.atomic():
                self._apply(booking, cleaned, overbook)
        except SlotFull as exc:
            hint = full_hint(self.request, booking.shop_id)
            if exc.reason == refusals.START_FULL:
                self.add_error("scheduled_time", f"{exc.message}: every seat is taken. {hint}")
            else:
                self.add_error("scheduled_time", f"{refusals.for_dispatcher(exc)}. {hint}")
        except BookingError as exc:
            message = refusals.for_dispatcher(exc)
            self.add_error(_error_field(self, exc, None), message)
        return cleaned

    def _apply(self, booking: Booking, cleaned: dict, overbook: bool) -> None:
        """Move, reassign, resize and change the status of `booking` as the form says."""
        new_date = cleaned.get("scheduled_date", booking.scheduled_date)
        new_time = cleaned.get("scheduled_time", booking.scheduled_time)
        new_status = cleaned.get("status", booking.status)
        moved = (new_date, new_time) != (booking.scheduled_date, booking.scheduled_time)
        technician = cleaned.get("technician")
        reassigned = "technician" in self.changed_data
        if "email" in self.changed_data and (moved or new_status != booking.status):
            # The e-mail about the change goes to the address typed in this same save.
            booking_update(booking=booking, email=cleaned.get("email") or "")
        if moved:
            # Unassigned at the new time in one move: no technician is asked (or e-mailed)
            # for a time the job will not keep them, and a start nobody is free at will do.
            booking_reschedule(
                booking=booking,
                new_date=new_date,
                new_time=new_time,
                allow_overbook=overbook,
                technician=technician if reassigned else None,
                unassigned=reassigned and technician is None,
            )
        elif reassigned:
            booking_assign(booking=booking, technician=technician, allow_overbook=overbook)
        if "duration_minutes" in self.changed_data:
            self._resize(booking, cleaned.get("duration_minutes"))
        if new_status != booking.status:
            booking_set_status(booking=booking, status=new_status)

    def _resize(self, booking: Booking, minutes: int | None) -> None:
        try:
            booking_update(booking=booking, duration_minutes=minutes)
        except TechnicianUnavailable as exc:
            raise forms.ValidationError(
                {"duration_minutes": refusals.for_dispatcher(exc)}
            ) from None
        self.applied.add("duration_minutes")


class MoveForm(forms.Form):
    date = forms.DateField()
    time = forms.TimeField()
    overbook = forms.BooleanField(required=False)
