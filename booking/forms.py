"""The public booking page's form: it reads and checks what a customer typed, nothing more.

Whether the day and window can be booked is the booking service's call (booking_create), so
the page can never accept what the engine would refuse.
"""

from __future__ import annotations

import datetime as dt

from django import forms

from booking import slots
from booking.models import Booking
from booking.phones import PhoneHasExtension, normalise_phone
from booking.services import BookingError, Customer

FIRST_AVAILABLE = ""
TIME_SLOT_CHOICES = [
    (FIRST_AVAILABLE, "First available"),
    (slots.AM, Booking.Window.AM.label),
    (slots.PM, Booking.Window.PM.label),
]

# What the page shows for each choice: (value, title, when); window_options fits the times to
# the shop's hours.
WINDOW_OPTIONS = [
    (FIRST_AVAILABLE, "First available", "The earliest time with room on your day"),
    (slots.AM, "Morning", "Arrival between 8 AM and 12 PM"),
    (slots.PM, "Afternoon", "Arrival between 12 PM and 5 PM"),
]


def _clock(moment: dt.datetime) -> str:
    hour = moment.hour % 12 or 12
    suffix = "AM" if moment.hour < 12 else "PM"
    return f"{hour} {suffix}" if not moment.minute else f"{hour}:{moment.minute:02d} {suffix}"


def window_options(booking_settings) -> list[tuple[str, str, str]]:
    """WINDOW_OPTIONS with the arrival times of this shop's own start times.

    A shop whose first start is 9:00 must not promise a customer an 8 AM arrival.
    """
    starts = slots.start_times_of(booking_settings)
    step = dt.timedelta(minutes=booking_settings.minutes_between_starts)
    options = [WINDOW_OPTIONS[0]]
    for value, title, default in WINDOW_OPTIONS[1:]:
        mine = [start for start in starts if slots.window_of(start) == value]
        if not mine:
            options.append((value, title, default))
            continue
        first = dt.datetime.combine(dt.date.min, mine[0])
        end = dt.datetime.combine(dt.date.min, mine[-1]) + step
        if value == slots.AM:
            end = min(end, dt.datetime.combine(dt.date.min, slots.NOON))
        options.append((value, title, f"Arrival between {_clock(first)} and {_clock(end)}"))
    return options


WINDOW_WORDS = {slots.AM: "morning", slots.PM: "afternoon"}

HONEYPOT_ERROR = "We could not take this booking online. Please call the shop to book."


def _required(message: str) -> dict[str, str]:
    return {"required": message}


class PhoneField(forms.CharField):
    """A phone number typed in any usual way, cleaned to E.164 as the API cleans it."""

    default_error_messages = {
        "invalid": "Enter a phone number we can call, like (555) 123-4567.",
        "extension": (
            "Enter the number without an extension; mention the extension with the problem."
        ),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 40)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
        )
        super().__init__(**kwargs)

    def clean(self, value) -> str:
        value = super().clean(value)
        if not value:
            return value
        try:
            return normalise_phone(value)
        except PhoneHasExtension:
            raise forms.ValidationError(
                self.error_messages["extension"], code="extension"
            ) from None
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None


def customer_from(data: dict) -> Customer:
    """The customer a booking form's cleaned data describes, as the booking service takes it."""
    return Customer(
        name=data["name"], phone=data["phone"], address=data["address"], email=data["email"]
    )


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
    issue = forms.CharField(
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

    def clean_website(self) -> str:
        if self.cleaned_data["website"]:
            raise forms.ValidationError(HONEYPOT_ERROR, code="honeypot")
        return ""

    def is_spam(self) -> bool:
        return self.has_error("website", code="honeypot")

    def add_booking_error(self, error: BookingError) -> None:
        """Show the booking service's refusal beside its field, in a customer's words."""
        if error.code == "no_availability":
            self.add_error(
                "scheduled_date",
                "That day filled up while you were booking. Please pick another day.",
            )
        elif error.field == "scheduled_date":
            self.add_error(
                "scheduled_date", "That day cannot be booked. Pick one of the open days."
            )
        elif error.field == "time_slot":
            self.add_error("time_slot", "Choose morning, afternoon or first available.")
        elif error.field in self.fields:
            message = error.message[:1].upper() + error.message[1:]
            self.add_error(error.field, message.rstrip(".") + ".")
        else:
            self.add_error(None, error.message)
