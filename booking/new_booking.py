"""What a new booking is made of: the frozen inputs every door passes booking_create
(Customer, Job, Extras), and the unsaved Booking row booking_create builds from them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from booking.models import Booking
from booking.slots import SlotRequest
from tenants.models import Shop


@dataclass(frozen=True)
class Customer:
    name: str
    phone: str
    address: str
    email: str = ""


@dataclass(frozen=True)
class Job:
    appliance_type: str
    issue: str = ""
    work_order_number: str = ""
    claim_number: str = ""
    authorization_number: str = ""


@dataclass(frozen=True)
class Extras:
    """Fields beyond the public schema; only scheduler accounts and staff may set them."""

    status: str = Booking.Status.SCHEDULED
    priority: str = Booking.Priority.NORMAL
    dispatcher_notes: str = ""
    partner_reference: str = ""
    duration_minutes: int | None = None


def unsaved_booking(
    *,
    id: uuid.UUID,
    shop: Shop,
    customer: Customer,
    job: Job,
    extras: Extras,
    address_key: str,
    appliance: tuple[str, str],
    slot_request: SlotRequest,
    duration_minutes: int,
    **fields,
) -> Booking:
    """The booking's row before a start is found for it: `appliance` is (matched, as sent),
    `fields` the rest (source, channel, account, agent, client_ip, ...)."""
    return Booking(
        id=id,
        shop=shop,
        customer_name=customer.name,
        phone=customer.phone,
        email=customer.email,
        address=customer.address,
        address_key=address_key,
        appliance_type=appliance[0],
        appliance_type_original=appliance[1],
        issue=job.issue,
        scheduled_date=slot_request.date,
        requested_time_slot=slot_request.label,
        duration_minutes=duration_minutes,
        work_order_number=job.work_order_number,
        claim_number=job.claim_number,
        authorization_number=job.authorization_number,
        partner_reference=extras.partner_reference,
        status=extras.status,
        priority=extras.priority,
        dispatcher_notes=extras.dispatcher_notes,
        **fields,
    )
