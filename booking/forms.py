"""The public booking page's form: it reads and checks what a customer typed, nothing more.

Whether the day and window can be booked is the booking service's call (booking_create), so
the page can never accept what the engine would refuse.
"""

from __future__ import annotations

from django import forms

from booking import refusals, slots
from booking.inputs import MultiLineField, PhoneField, clock, guard_text_fields, window_options
from booking.models import Booking
from booking.services import BookingError

FIRST_AVAILABLE = ""
TIME_SLOT_CHOICES = [
    (FIRST_AVAILABLE, "First available"),
    (slots.AM, Booking.Window.AM.label),
    (slots.PM, Booking.Window.PM.label),
]


def window_choices(booking_settings) -> list[tuple[str, str, str]]:
    """What the page shows for each arrival choice: (value, title, when), in this shop's hours."""
    return [(FIRST_AVAILABLE, "First available", "The earliest time with room on your day")] + [
        (
            window.value,
            window.title,
            f"Arrival between {clock(window.first_arrival)} and {clock(window.end)}",
        )
        for window in window_options(booking_settings)
    ]


WINDOW_WORDS = {slots.AM: "morning", slots.PM: "afternoon"}

HONEYPOT_ERROR = "We could not take this booking online. Please call the shop to book."


def _required(message: str) -> dict[str, str]:
    return {"required": message}


class BookingForm(forms.Form):
    name = forms.CharField(
        label="Your name",
        max_length=120,
        error_messages=_required("Enter your name."),
        widget=forms.TextInput(attrs={"autocomplete": "name", "autocapitalize": "words"}),
    )
    phone = PhoneField(
        label="Mobile phone",
        help_text="The technician calls or texts this number on the day.",
        error_messages=_required("Enter a phone number so the technician can reach you."),
    )
    email = forms.EmailField(
        label="E-mail (optional)",
        required=False,
        max_length=254,
        help_text="For your confirmation and a reminder the day before.",
        error_messages={
            "invalid": "Enter an e-mail address like jane@example.com, or leave it empty."
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
    address = forms.CharField(
        label="Service address",
        max_length=300,
        help_text="Street, city and ZIP code, where the appliance is.",
        error_messages=_required("Enter the address where the appliance is."),
        widget=forms.TextInput(attrs={"autocomplete": "street-address"}),
    )
    appliance_type = forms.ChoiceField(
        label="Appliance",
        error_messages={
            "required": "Choose the appliance that needs a repair.",
            "invalid_choice": "Choose one of the listed appliances.",
        },
    )
    issue = MultiLineField(
        label="What's wrong? (optional)",
        required=False,
        max_length=2000,
        help_text="A few words help the technician bring the right parts.",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 2000}),
    )
    scheduled_date = forms.DateField(
        label="Day",
        input_formats=["%Y-%m-%d"],
        error_messages={
            "required": "Pick a day for the visit.",
            "invalid": "Pick one of the open days.",
        },
        widget=forms.RadioSelect,
    )
    time_slot = forms.ChoiceField(
        label="Arrival window",
        required=False,
        choices=TIME_SLOT_CHOICES,
        initial=FIRST_AVAILABLE,
        error_messages={"invalid_choice": "Choose morning, afternoon or first available."},
        widget=forms.RadioSelect,
    )
    # The honeypot: hidden from people (and from assistive technology), filled in by bots.
    website = forms.CharField(
        label="Leave this empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args, appliance_types: list[str], **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["appliance_type"].choices = [("", "Choose…")] + [
            (name, name) for name in appliance_types
        ]
        self.fields["name"].error_messages["max_length"] = "Keep your name under 120 characters."
        self.fields["address"].error_messages["max_length"] = (
            "Keep the address under 300 characters."
        )
        self.fields["issue"].error_messages["max_length"] = (
            "Keep the description under 2000 characters (it has %(show_value)d)."
        )
        guard_text_fields(self)

    def clean_website(self) -> str:
        if self.cleaned_data["website"]:
            raise forms.ValidationError(HONEYPOT_ERROR, code="honeypot")
        return ""

    def is_spam(self) -> bool:
        return self.has_error("website", code="honeypot")

    def add_booking_error(self, error: BookingError) -> None:
        """Show the booking service's refusal beside its field, in a customer's words."""
        field = error.field if error.field in self.fields else None
        self.add_error(field, refusals.for_customer(error))
