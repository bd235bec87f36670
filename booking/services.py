"""The only write path for bookings. Every door (API, booking page, portal, admin) calls these."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone

from booking import notifications, refusals, seats, slots
from booking.addresses import address_key, zip_code_of
from booking.appliances import match_appliance
from booking.availability import schedule_of
from booking.models import Booking
from booking.placement import MoveTarget, day_refused, move_target, starts_for
from booking.refusals import (  # noqa: F401  (raised here; the doors import them from here)
    BookingDisabled,
    BookingError,
    DuplicateWorkOrder,
    NoAvailability,
    SlotFull,
)
from tenants.models import Shop

logger = logging.getLogger(__name__)


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


def _check_service_area(zip_codes: list[str], address: str) -> None:
    if not zip_codes:
        return
    zip_code = zip_code_of(address)
    if not zip_code:
        raise BookingError(refusals.NO_ZIP_CODE, code="outside_service_area", field="address")
    if zip_code not in zip_codes:
        raise BookingError(
            refusals.OUTSIDE_SERVICE_AREA,
            code="outside_service_area",
            field="address",
            zip_code=zip_code,
        )


def _lock(booking: Booking) -> Booking:
    """The booking as it is now, its row locked until the caller's transaction ends.

    Every change of where a booking holds its seat, or whether it holds one, starts here and
    acts on what this returns, never on the object the request loaded: a cancel and a
    reschedule of one booking at the same instant would otherwise both give back the old seat.
    PostgreSQL waits on the row lock; SQLite's IMMEDIATE transactions already serialise writers,
    so there it is the re-read that matters.

    FOR NO KEY UPDATE, not FOR UPDATE: a new booking flagged as a possible duplicate of this
    one checks its foreign key with a KEY SHARE lock on this row, which FOR UPDATE would block
    while this change waits for a seat counter that new booking holds: a deadlock.
    """
    return Booking.objects.select_for_update(no_key=True).get(pk=booking.pk)


def _insert_booking(*, staff: bool, **fields) -> Booking:
    """INSERT it; staff booking an open order again mean a second visit: a repeat visit."""
    if not (staff and fields["work_order_number"]):
        return Booking.objects.create(**fields)
    try:
        with transaction.atomic():
            return Booking.objects.create(**fields)
    except IntegrityError:
        return Booking.objects.create(**fields, repeat_visit=True)


def _open_booking_of_order(shop: Shop, source: str, work_order_number: str) -> Booking | None:
    """The booking holding a seat for this work order, as the dedupe constraint sees it."""
    if not work_order_number:
        return None
    return (
        Booking.objects.holding_seats()
        .filter(shop=shop, source=source, work_order_number=work_order_number, repeat_visit=False)
        .first()
    )


def booking_create(
    *,
    shop: Shop,
    customer: Customer,
    job: Job,
    slot_request: slots.SlotRequest,
    source: str,
    channel: str,
    account=None,
    agent=None,
    client_ip: str | None = None,
    extras: Extras | None = None,
    allow_overbook: bool = False,
    notify: bool = True,
    taken_at: dt.datetime | None = None,
) -> Booking:
    """Book a job at the best start time with room on the requested date.

    `account` is the scheduler account booking it, `agent` its person at the portal.
    `taken_at` (an aware moment, default now) is when the rules judge the request: seed_demo
    books the demo's history as taken the evening before, so today's jobs are there too.

    Raises BookingDisabled, BookingError (bad date, time or area), NoAvailability, or
    DuplicateWorkOrder when the (source, work order) already has a booking holding a seat.
    """
    booking_settings = shop.booking_settings
    # Online booking off turns away the public doors; staff still book jobs taken by phone.
    if not booking_settings.booking_enabled and channel != Booking.Channel.ADMIN:
        raise BookingDisabled(refusals.BOOKING_DISABLED, field="slug", shop_name=shop.name)
    _check_service_area(booking_settings.service_zip_codes, customer.address)
    appliance, appliance_original = match_appliance(
        job.appliance_type, booking_settings.appliance_types
    )
    schedule = schedule_of(booking_settings)
    now = taken_at.astimezone(shop.tz) if taken_at else shop.now()
    order, _ = starts_for(schedule, slot_request, now)
    extras = extras or Extras()
    key = address_key(customer.address)
    # A flag for the dispatcher, never a refusal. The INSERT looks it up itself (a subquery on
    # two indexes), so flagging costs no round trip and sees every booking committed before it.
    duplicate_of = Subquery(
        Booking.objects.possible_duplicates_of(
            shop=shop, phone=customer.phone, address_key=key, day=slot_request.date
        ).values("pk")[:1]
    )

    try:
        with transaction.atomic():
            seats.ensure_counters(shop, slot_request.date, order)
            seat = seats.take_seat(
                shop,
                slot_request.date,
                order,
                booking_settings.jobs_per_start_time,
                overbook=allow_overbook,
            )
            if seat is None:
                raise day_refused(refusals.FULL, schedule, slot_request.date, now.date())
            start, overbooked = seat
            booking = _insert_booking(
                staff=channel == Booking.Channel.ADMIN,
                shop=shop,
                customer_name=customer.name,
                phone=customer.phone,
                email=customer.email,
                address=customer.address,
                address_key=key,
                appliance_type=appliance,
                appliance_type_original=appliance_original,
                issue=job.issue,
                scheduled_date=slot_request.date,
                scheduled_time=start,
                window=slots.window_of(start),
                requested_time_slot=slot_request.label,
                duration_minutes=extras.duration_minutes,
                source=source,
                work_order_number=job.work_order_number,
                claim_number=job.claim_number,
                authorization_number=job.authorization_number,
                partner_reference=extras.partner_reference,
                status=extras.status,
                priority=extras.priority,
                channel=channel,
                account=account,
                agent=agent,
                dispatcher_notes=extras.dispatcher_notes,
                overbooked=overbooked,
                possible_duplicate_of_id=duplicate_of,
                client_ip=client_ip,
            )
            # The instance holds the subquery, not its answer: defer the field (Django's own
            # way, a field missing from the instance's dict) so it is read from the row if asked.
            vars(booking).pop("possible_duplicate_of_id")
            if notify:
                notifications.queue_booking_created(booking)
    except IntegrityError:
        # Only the work-order dedupe refuses this INSERT; the seat went back with the rollback.
        existing = _open_booking_of_order(shop, source, job.work_order_number)
        if existing is None:
            raise
        raise DuplicateWorkOrder(existing) from None
    logger.info(
        "booking %s created for %s on %s %s via %s",
        booking.pk,
        shop.slug,
        booking.scheduled_date,
        booking.scheduled_time,
        channel,
    )
    return booking


def booking_cancel(
    *,
    booking: Booking,
    reason: str = "",
    notify_customer: bool = True,
    notify_shop: bool = False,
) -> Booking:
    """Cancel a booking and give its seat back. Cancelling twice is refused.

    `reason`, if the canceller gave one, is kept on the booking and told to the shop. The
    customer is told by e-mail; the shop too with `notify_shop` (when the shop did not cancel).
    """
    with transaction.atomic():
        current = _lock(booking)
        if not current.holds_seat:
            raise BookingError(refusals.NOT_CANCELLABLE, code="not_cancellable")
        Booking.objects.filter(pk=current.pk).update(
            status=Booking.Status.CANCELLED, cancel_reason=reason, updated_at=timezone.now()
        )
        # The seat it holds now: a move committed since the request loaded it took another.
        seats.release_seat(current.shop_id, current.scheduled_date, current.scheduled_time)
        booking.refresh_from_db()
        notifications.queue_booking_cancelled(
            booking, notify_customer=notify_customer, notify_shop=notify_shop
        )
    return booking


def booking_reschedule(
    *,
    booking: Booking,
    new_date: dt.date | None = None,
    new_time: dt.time | None = None,
    new_window: str = "",
    slot_request: slots.SlotRequest | None = None,
    allow_overbook: bool = False,
    notify_customer: bool = True,
    notify_shop: bool = False,
) -> Booking:
    """Move a booking; the old seat is given back. The customer is told by e-mail; the shop
    too with `notify_shop` (when the shop did not move it). New-booking rules hold.

    To `new_date` and `new_time` exactly (admin, customer's page): a full start is SlotFull
    unless `allow_overbook`. To the earliest start with room in `new_window` that day (the
    customer is promised that window; NoAvailability when it is full). Or to `slot_request`,
    placed as booking_create places a booking (API, portal; NoAvailability for a full day).
    """
    if not booking.holds_seat:
        raise BookingError(refusals.NOT_MOVABLE, code="not_movable")
    target = move_target(booking.shop, new_date, new_time, new_window, slot_request)
    if target.arrived(booking):
        if target.requested is not None:
            # Nothing to move; only the request to remember.
            Booking.objects.filter(pk=booking.pk).update(
                requested_time_slot=target.requested, updated_at=timezone.now()
            )
            booking.refresh_from_db()
        return booking
    return _move(booking, target, allow_overbook, notify_customer, notify_shop)


def _move(booking, target: MoveTarget, allow_overbook, notify_customer, notify_shop) -> Booking:
    """Take a seat at the first start of the target with room, give the old one back, tell."""
    shop, day = booking.shop, target.day
    with transaction.atomic():
        current = _lock(booking)
        if not current.holds_seat:
            raise BookingError(refusals.NOT_MOVABLE, code="not_movable")
        if target.arrived(current):
            # Another request moved it here meanwhile: nothing left to do.
            booking.refresh_from_db()
            return booking
        seats.ensure_counters(shop, day, target.order)
        held = (current.scheduled_date, current.scheduled_time)
        seats.lock_counters(shop, [held, *((day, start) for start in target.order)])
        seat = seats.take_seat(
            shop,
            day,
            target.order,
            shop.booking_settings.jobs_per_start_time,
            overbook=allow_overbook,
        )
        if seat is None:
            raise target.full()
        start, overbooked = seat
        seats.release_seat(shop.pk, *held)
        Booking.objects.filter(pk=booking.pk).update(
            scheduled_date=day,
            scheduled_time=start,
            window=slots.window_of(start),
            requested_time_slot=current.requested_time_slot
            if target.requested is None
            else target.requested,
            overbooked=overbooked,
            # A reminder for the old time says nothing about the new one.
            reminder_sent_at=None if (day, start) != held else current.reminder_sent_at,
            updated_at=timezone.now(),
        )
        booking.refresh_from_db()
        if (day, start) != held:
            notifications.queue_booking_rescheduled(
                booking, notify_customer=notify_customer, notify_shop=notify_shop
            )
    return booking


_STATUS_MOVES = {
    Booking.Status.CONFIRMED: {Booking.Status.SCHEDULED},
    Booking.Status.COMPLETED: set(Booking.SEAT_HOLDING),
}


def booking_set_status(*, booking: Booking, status: str) -> Booking:
    """Confirm or complete a booking; cancelling goes through booking_cancel.

    A completed job has used its seat: the counter gives it back, so the ledger counts only
    bookings that still hold one.
    """
    if status == Booking.Status.CANCELLED:
        return booking_cancel(booking=booking)
    allowed_from = _STATUS_MOVES.get(status)
    if allowed_from is None:
        raise BookingError(refusals.UNKNOWN_STATUS, field="status", status=status)
    with transaction.atomic():
        current = _lock(booking)
        if current.status not in allowed_from:
            now_status = current.get_status_display().lower()
            if current.status == status:
                # Confirming the confirmed is no mistake worth a scolding, but it changes nothing.
                raise BookingError(
                    refusals.ALREADY_IN_STATUS, code="bad_status_change", current=now_status
                )
            raise BookingError(
                refusals.BAD_STATUS_CHANGE,
                code="bad_status_change",
                current=now_status,
                status=status,
            )
        Booking.objects.filter(pk=current.pk).update(status=status, updated_at=timezone.now())
        if status not in Booking.SEAT_HOLDING:
            seats.release_seat(current.shop_id, current.scheduled_date, current.scheduled_time)
        booking.refresh_from_db()
    return booking


# What staff may edit on a booking without touching its seat or status.
EDITABLE_DETAILS = frozenset(
    {
        "customer_name",
        "phone",
        "email",
        "address",
        "appliance_type",
        "issue",
        "duration_minutes",
        "source",
        "work_order_number",
        "claim_number",
        "authorization_number",
        "partner_reference",
        "priority",
        "dispatcher_notes",
    }
)


def booking_update(*, booking: Booking, **changes) -> Booking:
    """Edit a booking's details; its date, time and status move only through the functions above."""
    unknown = set(changes) - EDITABLE_DETAILS
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    if not changes:
        return booking
    for name, value in changes.items():
        setattr(booking, name, value)
    if "address" in changes:
        booking.address_key = address_key(booking.address)
        changes["address_key"] = booking.address_key
    fields = [*changes, "updated_at"]
    if not {"source", "work_order_number"} & set(changes):
        booking.save(update_fields=fields)
        return booking
    try:
        with transaction.atomic():
            booking.save(update_fields=fields)
    except IntegrityError:
        # Staff gave it the work order of another open booking: a second visit, on purpose.
        booking.repeat_visit = True
        booking.save(update_fields=[*fields, "repeat_visit"])
    return booking
