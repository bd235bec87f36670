"""The only write path for bookings. Every door (API, booking page, portal, admin) calls these."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils import timezone

from booking import capacity, facts, notifications, outbox, refusals, rules, sandbox, slots
from booking.addresses import address_key
from booking.appliances import match_appliance
from booking.availability import schedule_of
from booking.duplicates import earliest_possible_duplicate

# The doors import the refusals from here, where they have always been.
from booking.errors import (  # noqa: F401
    BookingDisabled,
    BookingError,
    DuplicateWorkOrder,
    NoAvailability,
    SlotFull,
    TechnicianUnavailable,
)
from booking.models import Booking

# The doors import the inputs from here too.
from booking.new_booking import Customer, Extras, Job, unsaved_booking  # noqa: F401
from booking.work_orders import insert_staff_booking, open_booking_of_order, save_details
from technicians.models import Technician
from technicians.notifications import queue_day_change
from tenants.models import Shop
from webhooks import events as webhooks

logger = logging.getLogger(__name__)


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


@facts.retried_when_stale
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
    technician: Technician | None = None,
    notify: bool = True,
    taken_at: dt.datetime | None = None,
    test: bool = False,
    before_commit: Callable[[Booking], None] | None = None,
) -> Booking:
    """Book a job at the best start time with room on the requested date.

    With technicians the job is assigned as it is booked; `technician` (a dispatcher's choice,
    with an exact time) books on them or refuses saying why. `account` is the scheduler
    account booking it, `agent` its person at the portal. `taken_at` (an aware moment, default
    now) is when the rules judge the request (seed_demo books the demo's history the evening
    before). `test`: a partner's test booking, placed as live, holding nothing (booking.sandbox).
    `before_commit(booking)` runs last inside the booking's transaction (the API keeps its
    Idempotency-Key answer there), so a door needs no transaction of its own around this one.

    Raises BookingDisabled, BookingError (bad date, time or area), NoAvailability,
    TechnicianUnavailable, or DuplicateWorkOrder when the (source, work order) already has a
    booking holding a seat (booking/work_orders.py).
    """
    booking_settings = shop.booking_settings
    # Online booking off turns away the public doors; staff still book jobs taken by phone.
    if not booking_settings.booking_enabled and channel != Booking.Channel.ADMIN:
        raise BookingDisabled(refusals.BOOKING_DISABLED, field="slug", shop_name=shop.name)
    rules.check_service_area(booking_settings.service_zip_codes, customer.address)
    appliance, appliance_original = match_appliance(
        job.appliance_type, booking_settings.appliance_types
    )
    day = slot_request.date
    # The door may have read the day's blackout with the shop (booking.facts): no query here.
    known = facts.known_for(shop, day)
    schedule = known.schedule(booking_settings) if known else schedule_of(booking_settings)
    now = taken_at.astimezone(shop.tz) if taken_at else shop.now()
    rules.check_day(schedule, day, now.date())
    order = rules.start_order(schedule, slot_request, now)
    extras = extras or Extras()
    key = address_key(customer.address)
    # A flag for the dispatcher, never a refusal: the INSERT looks it up itself.
    duplicate_of = earliest_possible_duplicate(
        shop_id=shop.pk, phone=customer.phone, address_key=key, day=day
    )
    minutes = extras.duration_minutes or booking_settings.job_length(appliance)
    # Read before the write transaction, keeping it short: whom to try first. The unique
    # constraint on technician time, not this read, decides (booking.capacity).
    room = sandbox.room(shop, day, day, need=capacity.Need(appliance, minutes), test=test)
    # Made here so the technician's rows can name the booking before its row is written.
    booking_id = uuid.uuid4()
    staff = channel == Booking.Channel.ADMIN
    booking = unsaved_booking(
        id=booking_id,
        shop=shop,
        customer=customer,
        job=job,
        extras=extras,
        address_key=key,
        appliance=(appliance, appliance_original),
        slot_request=slot_request,
        duration_minutes=minutes,
        source=source,
        channel=channel,
        account=account,
        agent=agent,
        possible_duplicate_of_id=duplicate_of,
        client_ip=client_ip,
        is_test=test,
    )

    def write(first_try: bool) -> None:
        """Take the room and write the booking and its e-mails: one transaction."""
        with transaction.atomic():
            placement = room.take(
                day,
                order,
                booking_id=booking_id,
                overbook=allow_overbook,
                technician=technician,
                first_try=first_try,
            )
            if placement is None:
                raise rules.day_refused(refusals.FULL, schedule, day, now.date())
            booking.scheduled_time = placement.start
            booking.window = slots.window_of(placement.start)
            booking.technician = placement.technician
            booking.overbooked = placement.overbooked
            outgoing = notifications.rows_for_created(booking) if notify else []
            if staff and job.work_order_number:
                insert_staff_booking(booking)
                outbox.insert(*outgoing)
            else:
                # One statement on PostgreSQL: the booking, its e-mail rows and their task.
                outbox.insert([booking], *outgoing)
            # The instance holds the subquery, not its answer: defer the field (Django's own
            # way, a field missing from the instance's dict) so it is read from the row if asked.
            vars(booking).pop("possible_duplicate_of_id")
            if notify:
                queue_day_change(was=None, now=booking)
                if known is None or known.has_webhooks:
                    webhooks.record("booking.created", booking)
            if before_commit is not None:
                before_commit(booking)

    try:
        try:
            # Most bookings: the first start's counter has a seat, and one UPDATE takes it.
            write(first_try=True)
        except capacity.FirstTryMissed:
            # Rolled back, locks and all: now every start in turn, counters made if missing.
            write(first_try=False)
    except IntegrityError:
        # The work-order dedupe refused the INSERT: what it took went back with the rollback.
        existing = open_booking_of_order(shop, source, job.work_order_number, test)
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
    """Cancel a booking and give its seat (and its technician's time) back. Cancelling twice
    is refused. `reason`, if the canceller gave one, is kept and told to the shop.

    The customer is told by e-mail; the shop too with `notify_shop` (when the shop did not).
    """
    with transaction.atomic():
        current = _lock(booking)
        if not current.holds_seat:
            raise BookingError(refusals.NOT_CANCELLABLE, code="not_cancellable")
        Booking.objects.filter(pk=current.pk).update(
            status=Booking.Status.CANCELLED, cancel_reason=reason, updated_at=timezone.now()
        )
        # The seat it holds now: a move committed since the request loaded it took another.
        sandbox.release(current)
        booking.refresh_from_db()
        notifications.queue_booking_cancelled(
            booking, notify_customer=notify_customer, notify_shop=notify_shop
        )
        queue_day_change(was=current, now=booking)
        webhooks.record("booking.cancelled", booking, before=current)
    return booking


def booking_reschedule(
    *,
    booking: Booking,
    new_date: dt.date | None = None,
    new_time: dt.time | None = None,
    new_window: str = "",
    slot_request: slots.SlotRequest | None = None,
    allow_overbook: bool = False,
    technician: Technician | None = None,
    unassigned: bool = False,
    notify_customer: bool = True,
    notify_shop: bool = False,
) -> Booking:
    """Move a booking; the old seat and the technician's time there are given back.

    Where to (booking.rules.move_target): an exact start (SlotFull unless `allow_overbook`),
    the first with room in `new_window`, or `slot_request` placed as a new booking would be.
    With technicians it keeps its own if free, else the fairest free one, or `technician`
    (TechnicianUnavailable says why not), or with `unassigned` nobody: then an open start with
    a seat is room enough. The customer is e-mailed; the shop with `notify_shop`.
    """
    if unassigned and technician is not None:
        raise TypeError("a job moved unassigned goes to no technician")
    if not booking.holds_seat:
        raise BookingError(refusals.NOT_MOVABLE, code="not_movable")
    target = rules.move_target(booking.shop, new_date, new_time, new_window, slot_request)
    if target.arrived(booking):
        if slot_request is not None:
            # Where it was asked to be already: only the request to remember.
            Booking.objects.filter(pk=booking.pk).update(
                requested_time_slot=target.requested, updated_at=timezone.now()
            )
            booking.refresh_from_db()
        if unassigned and booking.technician_id is not None:
            return booking_assign(booking=booking, technician=None)
        if technician is None or technician.pk == booking.technician_id:
            return booking
        return booking_assign(booking=booking, technician=technician, allow_overbook=allow_overbook)
    # How room.take chooses: its own technician or the fairest free, `technician`, or nobody.
    placing = {"overbook": allow_overbook, "technician": technician, "unassigned": unassigned}
    return _move(booking, target, placing, notify_customer, notify_shop)


def _move(booking, target, placing: dict, notify_customer, notify_shop) -> Booking:
    shop, day = booking.shop, target.day
    need = capacity.Need(booking.appliance_type, booking.job_minutes)
    room = sandbox.room(shop, day, day, need=need, ignoring=booking, test=booking.is_test)
    with transaction.atomic():
        current = _lock(booking)
        if not current.holds_seat:
            raise BookingError(refusals.NOT_MOVABLE, code="not_movable")
        if target.arrived(current):
            # Another request moved it here meanwhile: nothing left to do.
            booking.refresh_from_db()
            return booking
        # The take gives back the job's own technician time as it writes the new (a move onto
        # an overlapping span would otherwise clash with itself); its seat is given back below.
        placement = room.take(
            day,
            target.order,
            booking_id=current.pk,
            prefer=current.technician_id,
            leaving=current,
            **placing,
        )
        if placement is None:
            raise target.full(room.full_reason, need.appliance, need.minutes)
        sandbox.release_seat(current)
        Booking.objects.filter(pk=booking.pk).update(
            scheduled_date=day,
            scheduled_time=placement.start,
            window=slots.window_of(placement.start),
            requested_time_slot=target.requested or current.requested_time_slot,
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
        queue_day_change(was=current, now=booking)
        webhooks.record("booking.rescheduled", booking, before=current)
    return booking


def booking_assign(
    *, booking: Booking, technician: Technician | None, allow_overbook: bool = False
) -> Booking:
    """Give a booking's job to `technician` at its own time, or to nobody (None).

    TechnicianUnavailable says why they cannot take it; `allow_overbook` (owners) waives their
    shift, skills and time off, never another job: nobody is in two places at once.
    """
    if not booking.holds_seat or booking.is_test:
        raise BookingError(refusals.NOT_MOVABLE, code="not_movable")
    day, start = booking.scheduled_date, booking.scheduled_time
    need = capacity.Need(booking.appliance_type, booking.job_minutes)
    room = capacity.room(booking.shop, day, day, need=need, ignoring=booking)
    with transaction.atomic():
        current = _lock(booking)
        moved = (current.scheduled_date, current.scheduled_time) != (day, start)
        if moved or not current.holds_seat:
            raise BookingError(refusals.NOT_MOVABLE, code="not_movable")
        overbooked = current.overbooked
        if technician is None:
            capacity.free_technician(current)
        else:
            placement = room.place_on(
                technician,
                day,
                start,
                booking_id=current.pk,
                force=allow_overbook,
                count=False,
                leaving=current,
            )
            overbooked = placement.overbooked
        Booking.objects.filter(pk=booking.pk).update(
            technician=technician, overbooked=overbooked, updated_at=timezone.now()
        )
        booking.refresh_from_db()
        queue_day_change(was=current, now=booking)
        webhooks.record("booking.updated", booking, before=current)
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
            sandbox.release(current)
        booking.refresh_from_db()
        webhooks.record(f"booking.{status}", booking, before=current)
    return booking


# What staff may edit on a booking without touching its seat or status.
EDITABLE_DETAILS = frozenset(
    "customer_name phone email address appliance_type issue duration_minutes source"
    " work_order_number claim_number authorization_number partner_reference priority"
    " dispatcher_notes".split()
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
    if "address" in changes:
        booking.address_key = address_key(booking.address)
        changes["address_key"] = booking.address_key
    if "duration_minutes" in changes and not booking.duration_minutes:
        booking.duration_minutes = booking.shop.booking_settings.job_length(booking.appliance_type)
    with transaction.atomic():
        before = webhooks.snapshot(booking)
        if "duration_minutes" in changes:
            _refit_technician(booking)
        save_details(booking, [*changes, "updated_at"])
        webhooks.record("booking.updated", booking, before=before)
    return booking


def _refit_technician(booking: Booking) -> None:
    """Rewrite an assigned job's technician time for its new length, on the same technician."""
    current = _lock(booking)
    if not (current.holds_seat and current.technician_id):
        return
    day, start = current.scheduled_date, current.scheduled_time
    need = capacity.Need(booking.appliance_type, booking.duration_minutes)
    room = capacity.room(booking.shop, day, day, need=need, ignoring=current)
    # A job an owner put on them beyond their shift may stay beyond it.
    room.place_on(
        current.technician,
        day,
        start,
        booking_id=current.pk,
        force=current.overbooked,
        count=False,
        leaving=current,
    )
