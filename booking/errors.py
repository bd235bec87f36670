"""The booking engine's refusals as exceptions; booking.refusals words them for each door.

Apart from booking.services so that booking.capacity can refuse too; the doors import them
from booking.services, where they have always been.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from booking import refusals

if TYPE_CHECKING:
    from booking.models import Booking


class BookingError(Exception):
    """A booking rule said no, and `reason` says which (one of booking/refusals.py's).

    `code` is stable for API clients, `field` names the input at fault, and `facts` are what
    the words need (the day, the shop's today, a start time...): booking.refusals words a
    refusal for each door. `message` is the contract's wording, as API clients read it.
    """

    code = "invalid_field"
    # The shop as the engine last read it, when that is not the one the door passed in (a
    # worker's copy proved stale: booking.facts): what the door words the refusal from.
    shop = None

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


class ShopNotFound(BookingError):
    """No active shop has the slug (the doors answer 404, as for an unknown slug)."""

    code = "not_found"

    def __init__(self, slug: str):
        super().__init__(refusals.UNKNOWN_SHOP, field="slug", slug=slug.strip())


class SlotFull(BookingError):
    code = "slot_full"


class DuplicateWorkOrder(BookingError):
    """The work order already has a booking that holds its seat: `booking`, which a partner
    re-sending the order gets back instead of a second one."""

    code = "duplicate_work_order"

    def __init__(self, booking: Booking):
        self.booking = booking
        super().__init__(
            refusals.DUPLICATE_WORK_ORDER,
            field="work_order_number",
            work_order_number=booking.work_order_number,
            reference=booking.reference,
            day=booking.scheduled_date,
            start=booking.scheduled_time,
        )


class TechnicianUnavailable(BookingError):
    """The technician a dispatcher chose cannot take the job then; `reason` says why."""

    code = "technician_unavailable"
