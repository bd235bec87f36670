"""The only write path for bookings. Every door (API, booking page, portal, admin) calls these."""

from __future__ import annotations

import datetime as dt
import logging
import re
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from booking import capacity, notifications, refusals, slots
from booking.appliances import match_appliance
from booking.availability import schedule_of

# The doors import the refusals from here, where they have always been.
from booking.errors import (  # noqa: F401
    BookingDisabled,
    BookingError,
    NoAvailability,
    SlotFull,
    TechnicianUnavailable,
)
from booking.models import Booking
from technicians.models import Technician
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


_ZIP_RE = re.compile(r"\b(\d{5})(?:-\d{4})?\b")


def _check_service_area(zip_codes: list[str], address: str) -> None:
    if not zip_codes:
        return
    found = _ZIP_RE.findall(address)
    if not found:
        raise BookingError(refusals.NO_ZIP_CODE, code="outside_service_area", field="address")
    if found[-1] not in zip_codes:
        raise BookingError(
            refusals.OUTSIDE_SERVICE_AREA,
            code="outside_service_area",
            field="address",
            zip_code=found[-1],
        )


def _day_refused(reason: str, schedule: slots.Schedule, day: dt.date, today: dt.date):
    """The refusal of a whole day: a day gone or too far ahead is a bad input, else no room."""
    error = BookingError if reason in (refusals.PAST, refusals.BEYOND_HORIZON) else NoAvailability
    return error(
        reason,
        field="scheduled_date",
        day=day,
        today=today,
        last_day=schedule.last_bookable_date(today),
    )


def _check_day(schedule: slots.Schedule, day: dt.date, today: dt.date) -> None:
    reason = slots.day_closed_reason(schedule, day, today)
    if reason:
        raise _day_refused(reason, schedule, day, today)


def booking_create(
    *,
    shop: Shop,
    customer: Customer,
    job: Job,
    slot_request: slots.SlotRequest,
    source: str,
    channel: str,
    account=None,
    client_ip: str | None = None,
    extras: Extras | None = None,
    allow_overbook: bool = False,
    technician: Technician | None = None,
    notify: bool = True,
) -> Booking:
    """Book a job at the best start time with room on the requested date.

    With technicians the job is assigned as it is booked; `technician` (a dispatcher's choice,
    with an exact time) books on them or refuses saying why. Raises BookingDisabled,
    BookingError (bad date, time or area), NoAvailability or TechnicianUnavailable.
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
    now = shop.now()
    day = slot_request.date
    _check_day(schedule, day, now.date())
    order = _preference_order(schedule, slot_request, now)
    extras = extras or Extras()
    need = capacity.Need(
        appliance, extras.duration_minutes or booking_settings.job_length(appliance)
    )
    # Read before the write transaction, keeping it short: whom to try first. The unique
    # constraint on technician time, not this read, decides (booking.capacity).
    room = capacity.room(shop, day, day, need=need)
    # Made here so the technician's rows can name the booking before its row is written.
    booking_id = uuid.uuid4()

    with transaction.atomic():
        placement = room.take(
            day, order, booking_id=booking_id, overbook=allow_overbook, technician=technician
        )
        if placement is None:
            raise _day_refused(refusals.FULL, schedule, day, now.date())
        booking = Booking.objects.create(
            id=booking_id,
            shop=shop,
            customer_name=customer.name,
            phone=customer.phone,
            email=customer.email,
            address=customer.address,
            appliance_type=appliance,
            appliance_type_original=appliance_original,
            issue=job.issue,
            scheduled_date=day,
            scheduled_time=placement.start,
            window=slots.window_of(placement.start),
            requested_time_slot=slot_request.label,
            duration_minutes=need.minutes,
            technician=placement.technician,
            source=source,
            work_order_number=job.work_order_number,
            claim_number=job.claim_number,
            authorization_number=job.authorization_number,
            partner_reference=extras.partner_reference,
            status=extras.status,
            priority=extras.priority,
            channel=channel,
            account=account,
            dispatcher_notes=extras.dispatcher_notes,
            overbooked=placement.overbooked,
            client_ip=client_ip,
        )
        if notify:
            notifications.queue_booking_created(booking)
    logger.info(
        "booking %s created for %s on %s %s via %s",
        booking.pk,
        shop.slug,
        booking.scheduled_date,
        booking.scheduled_time,
        channel,
    )
    return booking


def _preference_order(
    schedule: slots.Schedule, slot_request: slots.SlotRequest, now: dt.datetime
) -> list[dt.time]:
    """The day's open starts to try, best first; refused when the request cannot be met."""
    try:
        first, last = slots.anchor_range(schedule, slot_request.window, slot_request.time)
    except ValueError:
        raise BookingError(
            refusals.OUTSIDE_HOURS,
            field="time_slot",
            first_start=schedule.first_start,
            last_start=schedule.last_start,
        ) from None
    order = slots.preference_order(
        slots.open_start_times(schedule, slot_request.date, now), first, last
    )
    if not order:
        raise _day_refused(refusals.TOO_SOON, schedule, slot_request.date, now.date())
    return order


def booking_cancel(
    *, booking: Booking, notify_customer: bool = True, notify_shop: bool = False
) -> Booking:
    """Cancel a booking and give its seat (and its technician's time) back. Cancelling twice is
    refused.

    The customer is told by e-mail; the shop too with `notify_shop` (when the customer cancels).
    """
    with transaction.atomic():
        cancelled = (
            Booking.objects.filter(pk=booking.pk)
            .holding_seats()
            .update(status=Booking.Status.CANCELLED, updated_at=timezone.now())
        )
        if not cancelled:
            raise BookingError(refusals.NOT_CANCELLABLE, code="not_cancellable")
        # Re-read under the UPDATE's lock: the seat to give back is where it is now.
        booking.refresh_from_db()
        capacity.release(booking)
        notifications.queue_booking_cancelled(
            booking, notify_customer=notify_customer, notify_shop=notify_shop
        )
    return booking


def booking_reschedule(
    *,
    booking: Booking,
    new_date: dt.date,
    new_time: dt.time,
    allow_overbook: bool = False,
    technician: Technician | None = None,
    notify_customer: bool = True,
    notify_shop: bool = False,
) -> Booking:
    """Move a booking to an exact start time; the old seat and technician time are given back.

    The same rules as a new booking hold (working days, blackouts, notice, capacity); a full
    start is refused with SlotFull unless `allow_overbook`. With technicians the job keeps its
    technician when they are free at the new time, else goes to the fairest free one, or to
    `technician` when given (TechnicianUnavailable says why not). The customer is told by
    e-mail; the shop too with `notify_shop` (when the customer moves it).
    """
    if not booking.holds_seat:
        raise BookingError(refusals.NOT_MOVABLE, code="not_movable")
    if (booking.scheduled_date, booking.scheduled_time) == (new_date, new_time):
        if technician is None or technician.pk == booking.technician_id:
            return booking
        return booking_assign(booking=booking, technician=technician, allow_overbook=allow_overbook)
    _check_start(booking.shop, new_date, new_time)
    need = capacity.Need(booking.appliance_type, booking.job_minutes)
    room = capacity.room(booking.shop, new_date, new_date, need=need, ignoring=booking)
    with transaction.atomic():
        # Lock the row so two moves of one booking cannot both give back the same old seat.
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if not current.holds_seat:
            raise BookingError(refusals.NOT_MOVABLE, code="not_movable")
        capacity.release(current)
        placement = room.take(
            new_date,
            [new_time],
            booking_id=current.pk,
            overbook=allow_overbook,
            technician=technician,
            prefer=current.technician_id,
        )
        if placement is None:
            raise SlotFull(
                room.full_reason,
                field="scheduled_time",
                start=new_time,
                day=new_date,
                appliance=need.appliance,
                minutes=need.minutes,
            )
        Booking.objects.filter(pk=booking.pk).update(
            scheduled_date=new_date,
            scheduled_time=new_time,
            window=slots.window_of(new_time),
            technician=placement.technician,
            overbooked=placement.overbooked,
            # A reminder for the old time says nothing about the new one.
            reminder_sent_at=None,
            updated_at=timezone.now(),
        )
        booking.refresh_from_db()
        notifications.queue_booking_rescheduled(
            booking, notify_customer=notify_customer, notify_shop=notify_shop
        )
    return booking


def _check_start(shop: Shop, day: dt.date, start: dt.time) -> None:
    """Refuse a move to a day or start time the shop does not take now."""
    schedule = schedule_of(shop.booking_settings)
    now = shop.now()
    _check_day(schedule, day, now.date())
    if start not in schedule.start_times():
        raise BookingError(refusals.NOT_A_START_TIME, field="scheduled_time", start=start)
    if start not in slots.open_start_times(schedule, day, now):
        raise BookingError(
            refusals.START_TOO_SOON, code="too_soon", field="scheduled_time", start=start, day=day
        )


def booking_assign(
    *, booking: Booking, technician: Technician | None, allow_overbook: bool = False
) -> Booking:
    """Give a booking's job to `technician` at its own time, or to nobody (None).

    TechnicianUnavailable says why they cannot take it; `allow_overbook` (owners) waives their
    shift, skills and time off, never another job: nobody is in two places at once.
    """
    if not booking.holds_seat:
        raise BookingError(refusals.NOT_MOVABLE, code="not_movable")
    day, start = booking.scheduled_date, booking.scheduled_time
    need = capacity.Need(booking.appliance_type, booking.job_minutes)
    room = capacity.room(booking.shop, day, day, need=need, ignoring=booking)
    with transaction.atomic():
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if not current.holds_seat or (current.scheduled_date, current.scheduled_time) != (
            day,
            start,
        ):
            raise BookingError(refusals.NOT_MOVABLE, code="not_movable")
        capacity.free_technician(current)
        overbooked = current.overbooked
        if technician is not None:
            placement = room.place_on(
                technician, day, start, booking_id=current.pk, force=allow_overbook, count=False
            )
            overbooked = placement.overbooked
        Booking.objects.filter(pk=booking.pk).update(
            technician=technician, overbooked=overbooked, updated_at=timezone.now()
        )
        booking.refresh_from_db()
    return booking


_STATUS_MOVES = {
    Booking.Status.CONFIRMED: {Booking.Status.SCHEDULED},
    Booking.Status.COMPLETED: set(Booking.SEAT_HOLDING),
}


def booking_set_status(*, booking: Booking, status: str) -> Booking:
    """Confirm or complete a booking; cancelling goes through booking_cancel.

    A completed job has used its seat: the counter and the technician's time are given back, so
    the ledger counts only bookings that still hold one.
    """
    if status == Booking.Status.CANCELLED:
        return booking_cancel(booking=booking)
    allowed_from = _STATUS_MOVES.get(status)
    if allowed_from is None:
        raise BookingError(refusals.UNKNOWN_STATUS, field="status", status=status)
    with transaction.atomic():
        updated = Booking.objects.filter(pk=booking.pk, status__in=allowed_from).update(
            status=status, updated_at=timezone.now()
        )
        if not updated:
            booking.refresh_from_db(fields=["status"])
            current = booking.get_status_display().lower()
            if booking.status == status:
                # Confirming the confirmed is no mistake worth a scolding, but it changes nothing.
                raise BookingError(
                    refusals.ALREADY_IN_STATUS, code="bad_status_change", current=current
                )
            raise BookingError(
                refusals.BAD_STATUS_CHANGE, code="bad_status_change", current=current, status=status
            )
        booking.refresh_from_db()
        if not booking.holds_seat:
            capacity.release(booking)
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
    """Edit a booking's details; its date, time and status move only through the functions above.

    A job length left empty is the shop's for the appliance. A new length of an assigned job
    must still fit its technician's day (TechnicianUnavailable says why not).
    """
    unknown = set(changes) - EDITABLE_DETAILS
    if unknown:
        raise ValueError(f"not editable here: {', '.join(sorted(unknown))}")
    if not changes:
        return booking
    for name, value in changes.items():
        setattr(booking, name, value)
    if "duration_minutes" in changes and not booking.duration_minutes:
        booking.duration_minutes = booking.shop.booking_settings.job_length(booking.appliance_type)
    with transaction.atomic():
        if "duration_minutes" in changes:
            _refit_technician(booking)
        booking.save(update_fields=[*changes, "updated_at"])
    return booking


def _refit_technician(booking: Booking) -> None:
    """Rewrite an assigned job's technician time for its new length, on the same technician."""
    current = Booking.objects.select_for_update().get(pk=booking.pk)
    if not (current.holds_seat and current.technician_id):
        return
    day, start = current.scheduled_date, current.scheduled_time
    need = capacity.Need(booking.appliance_type, booking.duration_minutes)
    room = capacity.room(booking.shop, day, day, need=need, ignoring=current)
    capacity.free_technician(current)
    # A job an owner put on them beyond their shift may stay beyond it.
    room.place_on(
        current.technician, day, start, booking_id=current.pk, force=current.overbooked, count=False
    )
