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
    booking_create,
    booking_reschedule,
    booking_set_status,
    booking_update,
)
from tenants.access import is_shop_owner
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
    return [(start.isoformat(), start.strftime("%H:%M")) for start in starts]


NOT_OWNER_OVERBOOK = "Only the shop's owner can overbook."


def full_hint(request, shop_id: int) -> str:
    """What to do about a full start time, for this user."""
    if is_shop_owner(request, shop_id):
        return "Pick another start time, or tick Overbook to book it anyway."
    return "Pick another start time; only the owner can overbook."


def _error_field(form, exc: BookingError, fallback: str | None) -> str | None:
    return exc.field if exc.field in form.fields else fallback


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
                choices=start_time_choices(
                    self.instance.shop.booking_settings, self.instance.scheduled_time
                ),
                coerce=_parse_time,
                help_text="Moving a booking takes a seat at the new time and frees the old one.",
            )
        guard_text_fields(self)

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
            hint = full_hint(self.request, booking.shop_id)
            self.add_error("scheduled_time", f"{exc.message}: every seat is taken. {hint}")
        except BookingError as exc:
            message = refusals.for_dispatcher(exc)
            self.add_error(_error_field(self, exc, None), message)
        return cleaned


class MoveForm(forms.Form):
    date = forms.DateField()
    time = forms.TimeField()
    overbook = forms.BooleanField(required=False)
