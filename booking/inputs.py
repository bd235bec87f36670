"""Input pieces more than one door reads with; no door imports another door's.

The phone field of the HTML forms (the booking page and the portal), the shop's arrival
windows as times each door words itself, the rule for what counts as sent, and the booking
service's Customer and Job from a door's validated fields.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from booking.phones import PhoneHasExtension, normalise_phone
from booking.services import Customer, Job

# The shop's arrival windows live with the slot rules (the e-mails and the calendar file word
# them too, and those may not import this module); the doors keep reading them from here.
from booking.slots import ArrivalWindow, clock, window_options  # noqa: F401


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


def is_sent(value) -> bool:
    """A field counts as sent unless it is absent (None), null or blank."""
    return value is not None and not (isinstance(value, str) and not value.strip())


def customer_from(data: Mapping) -> Customer:
    """The customer a door's validated fields describe, as the booking service takes it."""
    return Customer(
        name=data["name"], phone=data["phone"], address=data["address"], email=data.get("email", "")
    )


def job_from(data: Mapping) -> Job:
    """The job a door's validated fields describe; fields a door does not have stay empty."""
    return Job(
        appliance_type=data["appliance_type"],
        issue=data.get("issue", ""),
        work_order_number=data.get("work_order_number", ""),
        claim_number=data.get("claim_number", ""),
        authorization_number=data.get("authorization_number", ""),
    )
