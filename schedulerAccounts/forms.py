from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from booking import slots
from booking.inputs import MultiLineField, PhoneField, clock, guard_text_fields, window_options
from booking.models import Booking
from schedulerAccounts.access import portal_account
from schedulerAccounts.models import SchedulerAccount


class PortalLoginForm(AuthenticationForm):
    def confirm_login_allowed(self, user) -> None:
        super().confirm_login_allowed(user)
        if portal_account(user) is None:
            raise ValidationError(
                "This login has no active scheduler account. Shop staff sign in at /admin/.",
                code="not_a_partner",
            )


def time_slot_choices(booking_settings) -> list[tuple[str, str]]:
    """First free time, the shop's two windows with their hours, then each start time."""
    windows = {
        window.value: f"{window.title} ({clock(window.first_arrival)}-{clock(window.end)})"
        for window in window_options(booking_settings)
    }
    starts = slots.start_times_of(booking_settings)
    return [
        ("", "First free time"),
        (slots.AM, windows[slots.AM]),
        (slots.PM, windows[slots.PM]),
    ] + [(f"{s:%H:%M}", f"{s:%H:%M}") for s in starts]


class FieldNamedErrors:
    """Every error under a field names the field: "Customer name: This field is required."

    An agent filling in twenty fields on a phone sees the errors one by one; "This field is
    required." alone says nothing once it has scrolled away from its field, and a screen reader
    reads it without the field's name.
    """

    def add_error(self, field, error):
        if field in self.fields:
            label = str(self.fields[field].label or field.replace("_", " ").capitalize())
            messages = forms.ValidationError(error).messages
            error = [m if label.lower() in m.lower() else f"{label}: {m}" for m in messages]
        super().add_error(field, error)


class PortalBookingForm(FieldNamedErrors, forms.Form):
    """The public booking fields, plus the extra fields this account may write."""

    name = forms.CharField(label="Customer name", max_length=120)
    phone = PhoneField(label="Phone", help_text="e.g. (661) 555-0123 or +16615550123")
    email = forms.EmailField(
        label="E-mail", required=False, help_text="For the confirmation and reminder."
    )
    address = forms.CharField(label="Service address", max_length=300)
    appliance_type = forms.ChoiceField(label="Appliance")
    issue = MultiLineField(
        label="Problem", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    scheduled_date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    time_slot = forms.ChoiceField(label="Time", required=False)
    work_order_number = forms.CharField(label="WO#", max_length=64, required=False)
    claim_number = forms.CharField(label="Claim #", max_length=64, required=False)
    authorization_number = forms.CharField(label="Authorization #", max_length=64, required=False)
    source = forms.CharField(label="Source tag", max_length=60, required=False)
    status = forms.ChoiceField(
        choices=[(Booking.Status.SCHEDULED, "Scheduled"), (Booking.Status.CONFIRMED, "Confirmed")]
    )
    priority = forms.ChoiceField(choices=Booking.Priority.choices)
    dispatcher_notes = MultiLineField(
        max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    partner_reference = forms.CharField(max_length=64, required=False)
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", min_value=15, max_value=720, required=False
    )
    allow_overbook = forms.BooleanField(
        label="Book this exact time even if it is full", required=False
    )

    def __init__(self, *args, account: SchedulerAccount, **kwargs):
        super().__init__(*args, **kwargs)
        booking_settings = account.shop.booking_settings
        # Nothing preselected: a default appliance is a wrong appliance the agent did not notice.
        self.fields["appliance_type"].choices = [("", "Choose the appliance")] + [
            (t, t) for t in booking_settings.appliance_types
        ]
        self.fields["time_slot"].choices = time_slot_choices(booking_settings)
        self.fields["scheduled_date"].widget.attrs["min"] = account.shop.today().isoformat()
        if not account.may_override_source:
            del self.fields["source"]
        for field in SchedulerAccount.EXTRA_FIELDS:
            if not account.may_write(field):
                del self.fields[field]
        guard_text_fields(self)

    def slot_request(self) -> slots.SlotRequest:
        window, time = slots.parse_time_slot(self.cleaned_data.get("time_slot"))
        return slots.SlotRequest(self.cleaned_data["scheduled_date"], window, time)


class PortalRescheduleForm(FieldNamedErrors, forms.Form):
    """A new day and time for a booking, placed as a new booking would be."""

    scheduled_date = forms.DateField(
        label="New date", widget=forms.DateInput(attrs={"type": "date"})
    )
    time_slot = forms.ChoiceField(
        label="Time",
        required=False,
        help_text="A full choice moves to the next start with room that day.",
    )

    def __init__(self, *args, account: SchedulerAccount, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_slot"].choices = time_slot_choices(account.shop.booking_settings)
        self.fields["scheduled_date"].widget.attrs["min"] = account.shop.today().isoformat()

    def slot_request(self) -> slots.SlotRequest:
        window, time = slots.parse_time_slot(self.cleaned_data.get("time_slot"))
        return slots.SlotRequest(self.cleaned_data["scheduled_date"], window, time)


class BookingSearchForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100)
