"""The only write path for bookings. Every door (API, booking page, portal, admin) calls these."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q, Subquery
from django.utils import timezone

from booking import notifications, refusals, slots
from booking.addresses import address_key, zip_code_of
from booking.appliances import match_appliance
from booking.availability import schedule_of
from booking.models import Booking, SeatCounter
from tenants.models import Shop

logger = logging.getLogger(__name__)


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


def _ensure_counters(shop: Shop, day: dt.date, starts: list[dt.time]) -> None:
    # Only the missing ones: on PostgreSQL an INSERT ... ON CONFLICT on a row that another
    # booking is updating waits for that booking's commit, which would queue every booking of
    # the day behind every other. The unique constraint makes concurrent creation safe: the
    # loser's insert is a no-op.
    existing = set(
        SeatCounter.objects.filter(shop=shop, date=day, start_time__in=starts).values_list(
            "start_time", flat=True
        )
    )
    missing = [start for start in starts if start not in existing]
    if missing:
        SeatCounter.objects.bulk_create(
            [SeatCounter(shop=shop, date=day, start_time=start) for start in missing],
            ignore_conflicts=True,
        )


def _take_seat(
    shop: Shop, day: dt.date, order: list[dt.time], capacity: int, *, overbook: bool
) -> tuple[dt.time, bool] | None:
    """Take a seat at the first start in `order` with room: (start, overbooked), None if full.

    Each try is one guarded UPDATE, so the check and the write cannot be separated by another
    worker. With `overbook`, a full first choice is taken anyway.
    """
    counters = SeatCounter.objects.filter(shop=shop, date=day)
    for start in order:
        # PostgreSQL keeps the row lock of a guarded UPDATE that waited for another writer and
        # then found the start full. Held while this request tries its next choice, such locks
        # taken in each request's own order of preference deadlock two requests; rolling back
        # to a savepoint lets go of a start that had no seat.
        tried = transaction.savepoint()
        taken = counters.filter(start_time=start, booked__lt=capacity).update(
            booked=F("booked") + 1
        )
        if taken:
            transaction.savepoint_commit(tried)
            return start, False
        transaction.savepoint_rollback(tried)
        if overbook:
            counters.filter(start_time=start).update(booked=F("booked") + 1)
            return start, True
    return None


def _release_seat(shop_id: int, day: dt.date, start: dt.time) -> None:
    SeatCounter.objects.filter(shop_id=shop_id, date=day, start_time=start, booked__gt=0).update(
        booked=F("booked") - 1
    )


def _lock_counters(shop: Shop, starts: list[tuple[dt.date, dt.time]]) -> None:
    """Lock the counters of several starts, always in (date, start) order.

    A move gives one seat back and takes another. Two moves in opposite directions that each
    updated one counter first would wait for each other's: PostgreSQL would call it a deadlock
    and fail one of them.
    """
    at = Q()
    for day, start in starts:
        at |= Q(date=day, start_time=start)
    list(
        SeatCounter.objects.select_for_update().filter(at, shop=shop).order_by("date", "start_time")
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

    Raises BookingDisabled, BookingError (bad date, time or area) or NoAvailability.
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
    _check_day(schedule, slot_request.date, now.date())
    try:
        first, last = slots.anchor_range(schedule, slot_request.window, slot_request.time)
    except ValueError:
        raise BookingError(
            refusals.OUTSIDE_HOURS,
            field="time_slot",
            first_start=schedule.first_start,
            last_start=schedule.last_start,
        ) from None
    open_starts = slots.open_start_times(schedule, slot_request.date, now)
    order = slots.preference_order(open_starts, first, last)
    if not order:
        raise _day_refused(refusals.TOO_SOON, schedule, slot_request.date, now.date())
    extras = extras or Extras()
    key = address_key(customer.address)
    # A flag for the dispatcher, never a refusal. The INSERT looks it up itself (a subquery on
    # two indexes), so flagging costs no round trip and sees every booking committed before it.
    duplicate_of = Subquery(
        Booking.objects.possible_duplicates_of(
            shop=shop, phone=customer.phone, address_key=key, day=slot_request.date
        ).values("pk")[:1]
    )

    with transaction.atomic():
        _ensure_counters(shop, slot_request.date, open_starts)
        seat = _take_seat(
            shop,
            slot_request.date,
            order,
            booking_settings.jobs_per_start_time,
            overbook=allow_overbook,
        )
        if seat is None:
            raise _day_refused(refusals.FULL, schedule, slot_request.date, now.date())
        start, overbooked = seat
        booking = Booking.objects.create(
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
        # The instance holds the subquery, not its answer: defer the field (Django's own way,
        # a field missing from the instance's dict) so it is read from the row when asked.
        vars(booking).pop("possible_duplicate_of_id")
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


def booking_cancel(
    *, booking: Booking, notify_customer: bool = True, notify_shop: bool = False
) -> Booking:
    """Cancel a booking and give its seat back. Cancelling twice is refused.

    The customer is told by e-mail; the shop too with `notify_shop` (when the customer cancels).
    """
    with transaction.atomic():
        current = _lock(booking)
        if not current.holds_seat:
            raise BookingError(refusals.NOT_CANCELLABLE, code="not_cancellable")
        Booking.objects.filter(pk=current.pk).update(
            status=Booking.Status.CANCELLED, updated_at=timezone.now()
        )
        # The seat it holds now: a move committed since the request loaded it took another.
        _release_seat(current.shop_id, current.scheduled_date, current.scheduled_time)
        booking.refresh_from_db()
        notifications.queue_booking_cancelled(
            booking, notify_customer=notify_customer, notify_shop=notify_shop
        )
    return booking


def _exact_start(schedule: slots.Schedule, day: dt.date, start: dt.time, now) -> list[dt.time]:
    if start not in schedule.start_times():
        raise BookingError(refusals.NOT_A_START_TIME, field="scheduled_time", start=start)
    if start not in slots.open_start_times(schedule, day, now):
        raise BookingError(
            refusals.START_TOO_SOON, code="too_soon", field="scheduled_time", start=start, day=day
        )
    return [start]


def _window_full(day: dt.date, window: str) -> NoAvailability:
    return NoAvailability(refusals.WINDOW_FULL, field="scheduled_date", day=day, window=window)


def booking_reschedule(
    *,
    booking: Booking,
    new_date: dt.date,
    new_time: dt.time | None = None,
    new_window: str = "",
    allow_overbook: bool = False,
    notify_customer: bool = True,
    notify_shop: bool = False,
) -> Booking:
    """Move a booking to an exact start time, or to the earliest start with room in
    `new_window` (then the customer is promised that window); the old seat is given back.

    The same rules as a new booking hold (working days, blackouts, notice, capacity); a full
    start is refused with SlotFull unless `allow_overbook`, a full window with NoAvailability.
    The customer is told by e-mail; the shop too with `notify_shop` (when the customer moves it).
    """
    shop = booking.shop
    if not booking.holds_seat:
        raise BookingError(refusals.NOT_MOVABLE, code="not_movable")
    if (booking.scheduled_date, booking.window if new_window else booking.scheduled_time) == (
        new_date,
        new_window or new_time,
    ):
        return booking
    booking_settings = shop.booking_settings
    schedule = schedule_of(booking_settings)
    now = shop.now()
    _check_day(schedule, new_date, now.date())
    if new_window:
        open_starts = slots.open_start_times(schedule, new_date, now)
        order = [start for start in open_starts if slots.window_of(start) == new_window]
        if not order:
            raise _window_full(new_date, new_window)
    else:
        order = _exact_start(schedule, new_date, new_time, now)
    with transaction.atomic():
        current = _lock(booking)
        if not current.holds_seat:
            raise BookingError(refusals.NOT_MOVABLE, code="not_movable")
        where = (current.scheduled_date, current.window if new_window else current.scheduled_time)
        if where == (new_date, new_window or new_time):
            # Another request moved it here meanwhile: nothing left to do.
            booking.refresh_from_db()
            return booking
        _ensure_counters(shop, new_date, order)
        _lock_counters(
            shop,
            [(current.scheduled_date, current.scheduled_time), *((new_date, s) for s in order)],
        )
        seat = _take_seat(
            shop, new_date, order, booking_settings.jobs_per_start_time, overbook=allow_overbook
        )
        if seat is None and new_window:
            raise _window_full(new_date, new_window)
        if seat is None:
            raise SlotFull(
                refusals.START_FULL, field="scheduled_time", start=new_time, day=new_date
            )
        start, overbooked = seat
        _release_seat(shop.pk, current.scheduled_date, current.scheduled_time)
        Booking.objects.filter(pk=booking.pk).update(
            scheduled_date=new_date,
            scheduled_time=start,
            window=slots.window_of(start),
            # Moved by window, the customer is promised that window from now on.
            requested_time_slot=new_window or current.requested_time_slot,
            overbooked=overbooked,
            # A reminder for the old time says nothing about the new one.
            reminder_sent_at=None,
            updated_at=timezone.now(),
        )
        booking.refresh_from_db()
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
            _release_seat(current.shop_id, current.scheduled_date, current.scheduled_time)
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
    booking.save(update_fields=[*changes, "updated_at"])
    return booking
