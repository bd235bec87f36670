"""The booking engine's refusals as exceptions; booking.refusals words them for each door.

Apart from booking.services so that booking.capacity can refuse too; the doors import them
from booking.services, where they have always been.
"""

from __future__ import annotations

from booking import refusals


class BookingError(Exception):
    """A booking rule said no, and `reason` says which (one of booking/refusals.py's).

    `code` is stable for API clients, `field` names the input at fault, and `facts` are what
    the words need (the day, the shop's today, a start time...): booking.refusals words a
    refusal for each door. `message` is the contract's wording, as API clients read it.
    """

    code = "invalid_field"

    def __init__(self, reason: str, *, code: str | None = None, field: str = "", **facts):
        self.reason = reason
        self.field = field
        self.facts = facts
        if code:
            self.code = code
        self.message = refusals.for_api(self)
        super().__init__(self.message)


class NoAvailability(BookingError):
    code = "no_availability"


class BookingDisabled(BookingError):
    code = "booking_disabled"


class SlotFull(BookingError):
    code = "slot_full"


class TechnicianUnavailable(BookingError):
    """The technician a dispatcher chose cannot take the job then; `reason` says why."""

    code = "technician_unavailable"
