"""Input pieces more than one door reads with; no door imports another door's.

The phone field of the HTML forms (the booking page and the portal), the shop's arrival
windows as times each door words itself, the rule for what counts as sent, and the booking
service's Customer and Job from a door's validated fields.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django import forms

from booking import slots
from booking.phones import PhoneHasExtension, normalise_phone
from booking.services import Customer, Job


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


@dataclass(frozen=True)
class ArrivalWindow:
    """A window a customer can ask for, with when its arrivals begin and end at this shop."""

    value: str  # slots.AM or slots.PM
    title: str
    first_arrival: dt.time
    end: dt.time


# The contract's windows (AM 8am-12pm, PM 12pm-5pm), for a shop with no start in one.
_CONTRACT_WINDOWS = [
    ArrivalWindow(slots.AM, "Morning", dt.time(8), slots.NOON),
    ArrivalWindow(slots.PM, "Afternoon", slots.NOON, dt.time(17)),
]


def window_options(booking_settings) -> list[ArrivalWindow]:
    """The morning and afternoon windows, fitted to this shop's own start times.

    A shop whose first start is 9:00 must not promise an 8 AM arrival. A window ends one
    interval after its last start, and the morning at noon at the latest.
    """
    starts = slots.start_times_of(booking_settings)
    step = dt.timedelta(minutes=booking_settings.minutes_between_starts)
    windows = []
    for window in _CONTRACT_WINDOWS:
        mine = [start for start in starts if slots.window_of(start) == window.value]
        if not mine:
            windows.append(window)
            continue
        end = (dt.datetime.combine(dt.date.min, mine[-1]) + step).time()
        if window.value == slots.AM:
            end = min(end, slots.NOON)
        windows.append(ArrivalWindow(window.value, window.title, mine[0], end))
    return windows


def clock(time: dt.time) -> str:
    """A time as people say it: "8 AM", "12:30 PM"."""
    hour = time.hour % 12 or 12
    suffix = "AM" if time.hour < 12 else "PM"
    return f"{hour} {suffix}" if not time.minute else f"{hour}:{time.minute:02d} {suffix}"


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
