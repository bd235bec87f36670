"""A booking as its partner sees it: what the Partner API's read, list, reschedule and cancel
answer, and what a partner's webhooks will carry. One function, so the two cannot differ.

The fields use the contract's names (what the partner sent: `name`, `time_slot`...). Left out
is what belongs to the shop: dispatcher notes, the client's IP, the channel, overbooking.
"""

from __future__ import annotations

import datetime as dt

from booking.models import Booking


def _instant(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def booking_for_partner(booking: Booking) -> dict:
    """The booking, its state and the partner's own fields, as JSON-ready values."""
    return {
        "booking_id": str(booking.pk),
        "reference": booking.reference,
        "slug": booking.shop.slug,
        "status": booking.status,
        "scheduled_date": booking.scheduled_date.isoformat(),
        "scheduled_time": booking.scheduled_time.strftime("%H:%M:%S"),
        "time_slot": booking.window,
        "reassigned": booking.reassigned,
        "requested_time_slot": booking.requested_time_slot or None,
        "name": booking.customer_name,
        "phone": str(booking.phone),
        "email": booking.email,
        "address": booking.address,
        "appliance_type": booking.appliance_type,
        "issue": booking.issue,
        "source": booking.source,
        "work_order_number": booking.work_order_number,
        "claim_number": booking.claim_number,
        "authorization_number": booking.authorization_number,
        "priority": booking.priority,
        "partner_reference": booking.partner_reference,
        "duration_minutes": booking.duration_minutes,
        # Only the first name, as the create answer gives it: who is coming, no more.
        "technician": booking.technician.first_name if booking.technician_id else None,
        "cancel_reason": booking.cancel_reason,
        "created_at": _instant(booking.created_at),
        "updated_at": _instant(booking.updated_at),
    }
