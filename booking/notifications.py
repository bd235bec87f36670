"""Booking e-mails: written to the outbox with the booking's change, sent by a task worker.

The flow for every e-mail:

1. A service function (booking_create, booking_cancel, booking_reschedule, booking_assign, and
   through technicians/notifications.py and technicians/day.py the technician's e-mails) calls
   one of the `queue_*` functions inside its transaction (booking_create builds the rows with
   `rows_for_created` and writes them with its booking). That writes the `Notification` rows and
   one task row on the database task queue, `deliver_booking_notifications(booking id)`, in
   the same transaction (booking/outbox.py): a rolled-back booking leaves no row and no task,
   and a committed one always has both. The worker cannot see the task before the commit.
2. The request returns without waiting for the mail server. The task sends the booking's rows
   that are waiting and due; `send_reminders` re-enqueues a row whose task was lost.
3. A worker (`manage.py db_worker`) runs `deliver`: it claims the row with a guarded UPDATE (so a
   duplicated task cannot send twice), renders and sends it, and on failure schedules another
   try with back-off, up to MAX_ATTEMPTS; then the row is marked failed for the owner to see.
4. The row is marked sent the moment the mail server accepts the message (before QUIT), waiting
   out a database restart if need be. A worker that dies while it holds a row leaves it
   "sending"; after the lease (EMAIL_LEASE_SECONDS) send_reminders hands it to another worker.
   Only a worker killed between the server's 250 and that mark sends an e-mail twice (README:
   "Exactly once"); every try carries the same Message-ID.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Iterable

from django.conf import settings
from django.core.mail import get_connection
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from booking import outbox
from booking.emails import build_message
from booking.models import Booking, Notification

logger = logging.getLogger(__name__)

Kind = Notification.Kind
Status = Notification.Status

# Waits after the 1st, 2nd, ... failed try; the try after the last wait is the final one.
RETRY_DELAYS = [
    dt.timedelta(minutes=1),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=6),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A row due this long ago and still waiting lost its task (the enqueue failed or the queue was
# pruned); a row "sending" this long lost its worker mid-send. The lease must outlast the
# slowest send (every SMTP step may take EMAIL_TIMEOUT), or a slow send would go out twice.
STALLED_AFTER = dt.timedelta(seconds=settings.EMAIL_LEASE_SECONDS)
# What a database restart looks like from here: the connection or the server went away.
DATABASE_DOWN = (OperationalError, InterfaceError)


# --- Queueing (inside the service's transaction) --------------------------------------------


def _rows(booking: Booking, kinds: Iterable[str]) -> list[Notification]:
    if booking.is_test:
        # A partner's rehearsal (booking/sandbox.py): no customer or shop is told of it.
        return []
    now = timezone.now()
    rows = []
    for kind in kinds:
        recipient = booking.shop.notification_email if kind.startswith("shop_") else booking.email
        if recipient:
            rows.append(
                Notification(
                    booking=booking,
                    kind=kind,
                    recipient=recipient,
                    scheduled_date=booking.scheduled_date,
                    scheduled_time=booking.scheduled_time,
                    next_attempt_at=now,
                )
            )
    return rows


def rows_for_created(booking: Booking) -> list:
    """A new booking's e-mail rows and the task that sends them (none without a recipient),
    for the caller to write with the booking (outbox.insert)."""
    rows = _rows(booking, [Kind.CONFIRMATION, Kind.SHOP_NEW])
    return [rows, [outbox.task_row(deliver_booking_notifications, str(booking.pk))] if rows else []]


def _queue(booking: Booking, kinds: Iterable[str]) -> list[Notification]:
    return _save(booking, _rows(booking, kinds))


def _save(booking: Booking, rows: list[Notification]) -> list[Notification]:
    """Write the booking's new rows and the task that sends them, in the caller's transaction."""
    if rows:
        Notification.objects.bulk_create(rows)
        outbox.insert([outbox.task_row(deliver_booking_notifications, str(booking.pk))])
    return rows


def _enqueue(ids: list[int], run_after: dt.datetime | None = None) -> None:
    for notification_id in ids:
        try:
            if run_after is None:
                deliver_notification.enqueue(notification_id)
            else:
                deliver_notification.using(run_after=run_after).enqueue(notification_id)
        except Exception:
            logger.exception(
                "could not enqueue notification %s; send_reminders retries it", notification_id
            )


def queue_booking_created(booking: Booking) -> list[Notification]:
    """Confirmation to the customer and a new-booking alert to the shop."""
    rows, task = rows_for_created(booking)
    outbox.insert(rows, task)
    return rows


def queue_booking_cancelled(
    booking: Booking, *, notify_customer: bool = True, notify_shop: bool = False
) -> list[Notification]:
    kinds = [Kind.CANCELLED] * notify_customer + [Kind.SHOP_CANCELLED] * notify_shop
    return _queue(booking, kinds)


def queue_booking_rescheduled(
    booking: Booking, *, notify_customer: bool = True, notify_shop: bool = False
) -> list[Notification]:
    kinds = [Kind.RESCHEDULED] * notify_customer + [Kind.SHOP_RESCHEDULED] * notify_shop
    return _queue(booking, kinds)


def queue_on_my_way(booking: Booking, *, technician) -> list[Notification]:
    """`technician`'s "on my way" to the customer (none without an e-mail address)."""
    if not booking.email:
        return []
    row = Notification(
        booking=booking,
        kind=Kind.ON_MY_WAY,
        recipient=booking.email,
        technician=technician,
        scheduled_date=booking.scheduled_date,
        scheduled_time=booking.scheduled_time,
        next_attempt_at=timezone.now(),
    )
    return _save(booking, [row])


def queue_for_technician(
    booking: Booking, *, kind: str, technician, day: dt.date, start: dt.time
) -> list[Notification]:
    """An e-mail to `technician` about their day: the job at `day` `start` was added, moved
    there or taken off (technicians/notifications.py decides which and whether). A partner's
    test booking is nobody's job."""
    if booking.is_test or not technician.email:
        return []
    row = Notification(
        booking=booking,
        kind=kind,
        recipient=technician.email,
        technician=technician,
        scheduled_date=day,
        scheduled_time=start,
        next_attempt_at=timezone.now(),
    )
    return _save(booking, [row])


# --- Reminders (run periodically by `manage.py send_reminders`) ------------------------------


def reminder_due_at(booking: Booking) -> dt.datetime:
    """When the reminder goes out: the shop's hours-before, counted on the shop's wall clock.

    Aware arithmetic on a zoneinfo datetime keeps the wall time, so "24 hours before 9:00" is
    9:00 the day before even across a DST change, which is what a customer expects.
    """
    hours = booking.shop.booking_settings.reminder_hours_before
    return booking.starts_at - dt.timedelta(hours=hours)


def queue_due_reminders(now: dt.datetime | None = None) -> int:
    """Queue the reminder of every booking that is due one; returns how many were queued.

    Safe to run from any number of processes at once: each booking is claimed by one guarded
    UPDATE of reminder_sent_at, and only the sender whose UPDATE changed the row queues the
    e-mail. The claim is never released: a failed send is retried by its Notification row,
    which is how the reminder stays exactly-once.
    """
    now = now or timezone.now()
    today = now.date()
    # Reminders are at most 168 hours (7 days) ahead; a day either side covers every time zone.
    candidates = (
        Booking.objects.filter(
            status__in=Booking.SEAT_HOLDING,
            reminder_sent_at__isnull=True,
            scheduled_date__range=(today - dt.timedelta(days=1), today + dt.timedelta(days=8)),
            is_test=False,
        )
        .exclude(email="")
        .select_related("shop__booking_settings")
    )
    queued = 0
    for booking in candidates:
        due_at = reminder_due_at(booking)
        if not (due_at <= now < booking.starts_at):
            continue
        if booking.created_at >= due_at:
            # Booked inside the reminder window: the confirmation that just went out says it all.
            continue
        with transaction.atomic():
            claimed = Booking.objects.filter(
                pk=booking.pk,
                status__in=Booking.SEAT_HOLDING,
                reminder_sent_at__isnull=True,
                scheduled_date=booking.scheduled_date,
                scheduled_time=booking.scheduled_time,
            ).update(reminder_sent_at=now)
            if claimed:
                _queue(booking, [Kind.REMINDER])
                queued += 1
    return queued


def requeue_stalled(now: dt.datetime | None = None) -> int:
    """Enqueue again the rows whose task was lost; returns how many."""
    now = now or timezone.now()
    stale = now - STALLED_AFTER
    # A worker that died mid-send leaves "sending": put it back (it may have gone out once).
    stuck = list(
        Notification.objects.filter(status=Status.SENDING, claimed_at__lt=stale).values_list(
            "pk", flat=True
        )[:500]
    )
    Notification.objects.filter(pk__in=stuck, status=Status.SENDING).update(
        status=Status.PENDING, next_attempt_at=now
    )
    lost = list(
        Notification.objects.filter(status=Status.PENDING, next_attempt_at__lt=stale).values_list(
            "pk", flat=True
        )[:500]
    )
    # Restart their clock, so a queue that is merely slow is not flooded every run.
    Notification.objects.filter(pk__in=lost, status=Status.PENDING).update(next_attempt_at=now)
    ids = stuck + lost
    _enqueue(ids)
    return len(ids)


# --- Delivery (in the worker) ----------------------------------------------------------------


def _stale_reason(notification: Notification) -> str:
    """Why the e-mail should no longer go out, or ""."""
    booking = notification.booking
    # A new time for a booking cancelled since (one admin save can do both) would mislead.
    # A technician's e-mails never go stale: each tells a change that happened, and the next
    # change sends its own.
    if notification.kind in (
        Kind.CONFIRMATION,
        Kind.REMINDER,
        Kind.RESCHEDULED,
        Kind.SHOP_NEW,
        Kind.ON_MY_WAY,
    ):
        if booking.status == Booking.Status.CANCELLED:
            return "the booking was cancelled before this was sent"
    if notification.kind == Kind.REMINDER and (
        (booking.scheduled_date, booking.scheduled_time)
        != (notification.scheduled_date, notification.scheduled_time)
    ):
        return "the booking moved before this was sent; the new time gets its own reminder"
    return ""


def retry_delay(attempts: int) -> dt.timedelta | None:
    """The wait after `attempts` failed tries, or None when that was the last."""
    if attempts >= MAX_ATTEMPTS:
        return None
    return RETRY_DELAYS[attempts - 1]


def deliver(notification_id: int) -> str:
    """Send one notification if it is due and nobody else is sending it; returns what happened."""
    now = timezone.now()
    # A database error here changes nothing: the worker runs the task again once it reconnects.
    claimed = Notification.objects.filter(
        pk=notification_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "not due"
    try:
        notification = Notification.objects.select_related("booking__shop").get(pk=notification_id)
        reason = _stale_reason(notification)
        message = None if reason else build_message(notification)
    except DATABASE_DOWN:
        # Claimed, not sent: hand the row back now rather than leave it to the stalled-row lease.
        _persist(
            lambda: Notification.objects.filter(pk=notification_id, status=Status.SENDING).update(
                status=Status.PENDING, attempts=F("attempts") - 1, next_attempt_at=timezone.now()
            )
        )
        _enqueue([notification_id])
        return "retry"
    if reason:
        _persist(
            lambda: Notification.objects.filter(pk=notification.pk).update(
                status=Status.SKIPPED, last_error=reason, next_attempt_at=None
            )
        )
        return "skipped"
    mail = get_connection()
    try:
        mail.open()
        mail.send_messages([message])
    except Exception as exc:
        _close_quietly(mail)
        return _record_failure(notification, exc)
    # The mail server has the message. Until the row says so, a worker that dies would leave it
    # to be sent again after the lease: record it before anything else, QUIT included, and wait
    # out a database restart rather than give up.
    _persist(
        lambda: Notification.objects.filter(pk=notification.pk).update(
            status=Status.SENT,
            subject=message.subject[:255],
            sent_at=timezone.now(),
            next_attempt_at=None,
        )
    )
    _close_quietly(mail)
    return "sent"


def _close_quietly(mail) -> None:
    try:
        mail.close()
    except Exception as exc:  # the message is already accepted or refused; QUIT decides nothing
        logger.info("closing the mail connection failed: %s", exc)


# Waits between tries of a write the worker must not lose (about half a minute in all).
PERSIST_DELAYS = [0.5, 1, 2, 4, 8, 15]


def _persist(write):
    """Run a database write, waiting out a short outage (a restart) instead of losing it."""
    for delay in PERSIST_DELAYS:
        try:
            return write()
        except DATABASE_DOWN as exc:
            logger.warning("database unavailable (%s); trying again in %ss", exc, delay)
            # The broken connection must go, or the next try fails on it at once. Delivery
            # runs outside any transaction (the worker's claim has committed).
            connection.close()
            time.sleep(delay)
    return write()


def _record_failure(notification: Notification, exc: Exception) -> str:
    error = f"{type(exc).__name__}: {exc}"[:2000]
    delay = retry_delay(notification.attempts)
    if delay is None:
        logger.error("notification %s failed for good: %s", notification.pk, error)
        _persist(
            lambda: Notification.objects.filter(pk=notification.pk).update(
                status=Status.FAILED, last_error=error, next_attempt_at=None
            )
        )
        return "failed"
    retry_at = timezone.now() + delay
    logger.warning(
        "notification %s failed (try %s), retrying at %s: %s",
        notification.pk,
        notification.attempts,
        retry_at,
        error,
    )
    _persist(
        lambda: Notification.objects.filter(pk=notification.pk).update(
            status=Status.PENDING, last_error=error, next_attempt_at=retry_at
        )
    )
    _enqueue([notification.pk], run_after=retry_at)
    return "retry"


@task()
def deliver_notification(notification_id: int) -> str:
    return deliver(notification_id)


@task()
def deliver_booking_notifications(booking_id: str) -> str:
    """Send a booking change's e-mails: every row of the booking waiting and due.

    Each row is claimed by `deliver`'s guarded UPDATE, so a row another task (an earlier change's
    or a retry's) already took is not sent twice.
    """
    due = Notification.objects.filter(
        booking_id=booking_id, status=Status.PENDING, next_attempt_at__lte=timezone.now()
    ).order_by("pk")
    return ", ".join(deliver(pk) for pk in due.values_list("pk", flat=True)) or "nothing due"


def send_again(notifications: Iterable[Notification]) -> int:
    """Give failed e-mails a fresh set of tries now (the admin's action); returns how many."""
    ids = [n.pk for n in notifications if n.status == Status.FAILED]
    Notification.objects.filter(pk__in=ids, status=Status.FAILED).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now()
    )
    transaction.on_commit(lambda: _enqueue(ids), robust=True)
    return len(ids)
