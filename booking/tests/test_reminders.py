from __future__ import annotations

import datetime as dt
import threading
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from booking.models import Booking, Notification
from booking.notifications import queue_due_reminders
from booking.services import booking_cancel, booking_reschedule
from booking.tests.helpers import book, run_worker
from tenants.tests.factories import ShopFactory

LA = "America/Los_Angeles"


def at(day: int, hour: int, minute: int = 0, tz: str = LA) -> dt.datetime:
    from zoneinfo import ZoneInfo

    return dt.datetime(2026, 12, day, hour, minute, tzinfo=ZoneInfo(tz))


WEDNESDAY = dt.date(2026, 12, 2)


@pytest.fixture
def booked(db, shop_a, freeze_now, django_capture_on_commit_callbacks):
    """Jane's 09:00 Wednesday booking, made on Tuesday at 08:00; its e-mails already sent."""
    freeze_now(at(1, 8))
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(shop_a, day=WEDNESDAY, time="09:00")
    run_worker()
    mail.outbox.clear()
    return booking


def _reminders():
    return Notification.objects.filter(kind=Notification.Kind.REMINDER)


def test_no_reminder_goes_out_before_the_shops_hours_before(booked, freeze_now):
    freeze_now(at(1, 8, 59))

    assert queue_due_reminders() == 0
    assert not _reminders().exists()


def test_the_reminder_goes_out_24_hours_before_on_the_shops_clock(
    booked, freeze_now, django_capture_on_commit_callbacks
):
    freeze_now(at(1, 9, 0))

    with django_capture_on_commit_callbacks(execute=True):
        assert queue_due_reminders() == 1
    run_worker()

    [message] = mail.outbox
    assert message.to == ["jane@example.com"]
    assert message.subject == (
        "Reminder: Done Right Appliance comes Wed, Dec 2, arriving at 9:00 AM "
        f"(ref {booked.reference})"
    )
    assert "123 Main St, Lancaster CA 93534" in message.body
    assert "/b/" in message.body
    booked.refresh_from_db()
    assert booked.reminder_sent_at == at(1, 9, 0)


def test_the_reminder_states_the_afternoon_window_the_customer_asked_for(
    shop_a, freeze_now, django_capture_on_commit_callbacks
):
    freeze_now(at(1, 8))
    booking = book(shop_a, day=WEDNESDAY, time="PM", email="ann@example.com")
    freeze_now(at(1, 12))

    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders()
    run_worker()

    [message] = [m for m in mail.outbox if m.subject.startswith("Reminder")]
    assert message.subject == (
        "Reminder: Done Right Appliance comes Wed, Dec 2, arriving between 12 PM and 5 PM "
        f"(ref {booking.reference})"
    )
    assert "Technician arrives: between 12 PM and 5 PM" in message.body


def test_the_sender_running_again_sends_no_second_reminder(
    booked, freeze_now, django_capture_on_commit_callbacks
):
    freeze_now(at(1, 9, 0))
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders()
    freeze_now(at(1, 9, 5))
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_due_reminders() == 0
    run_worker()

    assert len(mail.outbox) == 1
    assert _reminders().count() == 1


def test_the_hours_before_are_the_shops_setting_in_its_own_time_zone(
    db, freeze_now, django_capture_on_commit_callbacks
):
    shop = ShopFactory(slug="east-coast", time_zone="America/New_York")
    shop.booking_settings.reminder_hours_before = 3
    shop.booking_settings.save()
    freeze_now(at(1, 8, tz="America/New_York"))
    with django_capture_on_commit_callbacks(execute=True):
        book(shop, day=WEDNESDAY, time="14:00")

    freeze_now(at(2, 10, 59, tz="America/New_York"))
    assert queue_due_reminders() == 0
    freeze_now(at(2, 11, 0, tz="America/New_York"))
    assert queue_due_reminders() == 1


def test_no_reminder_for_a_cancelled_booking(booked, freeze_now):
    booking_cancel(booking=booked)
    freeze_now(at(1, 9, 0))

    assert queue_due_reminders() == 0
    assert not _reminders().exists()


def test_a_reminder_queued_before_a_cancel_is_not_sent(
    booked, freeze_now, django_capture_on_commit_callbacks
):
    freeze_now(at(1, 9, 0))
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders()
        booking_cancel(booking=booked)
    run_worker()

    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Cancelled"]
    assert _reminders().get().status == Notification.Status.SKIPPED


def test_a_reschedule_re_arms_the_reminder_for_the_new_time(
    booked, freeze_now, django_capture_on_commit_callbacks
):
    freeze_now(at(1, 9, 0))
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders()
    run_worker()
    friday = dt.date(2026, 12, 4)

    with django_capture_on_commit_callbacks(execute=True):
        booking_reschedule(booking=booked, new_date=friday, new_time=dt.time(15, 0))
    booked.refresh_from_db()
    assert booked.reminder_sent_at is None
    freeze_now(at(3, 14, 59))
    assert queue_due_reminders() == 0
    freeze_now(at(3, 15, 0))
    with django_capture_on_commit_callbacks(execute=True):
        assert queue_due_reminders() == 1
    mail.outbox.clear()
    run_worker()

    [message] = [m for m in mail.outbox if m.subject.startswith("Reminder")]
    assert message.subject.startswith(
        "Reminder: Done Right Appliance comes Fri, Dec 4, arriving at 3:00 PM"
    )
    assert _reminders().count() == 2


def test_a_booking_made_inside_the_reminder_window_gets_only_its_confirmation(
    db, shop_a, freeze_now
):
    freeze_now(at(1, 15, 0))
    book(shop_a, day=WEDNESDAY, time="09:00")

    freeze_now(at(1, 15, 5))
    assert queue_due_reminders() == 0


def test_no_reminder_without_an_email_address(db, shop_a, freeze_now):
    freeze_now(at(1, 8, 0))
    book(shop_a, day=WEDNESDAY, time="09:00", email="")

    freeze_now(at(1, 9, 0))
    assert queue_due_reminders() == 0


def test_the_command_reports_what_it_queued(booked, freeze_now):
    freeze_now(at(1, 9, 0))
    out = StringIO()

    call_command("send_reminders", stdout=out)

    assert out.getvalue().strip() == (
        "Queued 1 reminder(s); re-queued 0 stalled e-mail(s) and webhook(s)."
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_two_senders_at_the_same_time_send_each_reminder_once(shop_a, freeze_now):
    freeze_now(at(1, 8, 0))
    bookings = [book(shop_a, day=WEDNESDAY, time=f"{hour:02d}:00") for hour in range(9, 14)]
    freeze_now(at(2, 8, 0))
    barrier = threading.Barrier(2, timeout=20)
    counts: list[int] = []
    errors: list[BaseException] = []

    def sender():
        try:
            barrier.wait()
            counts.append(queue_due_reminders())
        except BaseException as exc:  # surfaced below; a thread cannot fail the test itself
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(counts) == 2 and sum(counts) == len(bookings)
    for booking in bookings:
        assert booking.notifications.filter(kind="reminder").count() == 1
    assert Booking.objects.filter(reminder_sent_at__isnull=True).count() == 0


def test_a_reminder_queued_before_a_reschedule_is_not_sent_for_the_old_time(
    booked, freeze_now, django_capture_on_commit_callbacks
):
    freeze_now(at(1, 9, 0))
    with django_capture_on_commit_callbacks(execute=True):
        queue_due_reminders()
        booking_reschedule(booking=booked, new_date=dt.date(2026, 12, 4), new_time=dt.time(15))
    run_worker()

    assert [m.subject.split(":")[0] for m in mail.outbox] == ["New time"]
    assert _reminders().get().status == Notification.Status.SKIPPED


class _Stop(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_the_reminder_loop_carries_on_after_the_database_drops_its_connection(shop_a):
    booking = book(shop_a)
    # An e-mail a dead worker left claimed: the loop's re-queueing is what brings it back.
    Notification.objects.filter(booking=booking).update(
        status=Notification.Status.SENDING,
        claimed_at=timezone.now() - dt.timedelta(hours=1),
    )
    # The database restarted under the loop: its connection is dead.
    connection.ensure_connection()
    connection.connection.close()
    rounds = []

    def sleep(seconds):
        rounds.append(seconds)
        if len(rounds) == 2:
            raise _Stop

    with mock.patch("booking.management.commands.send_reminders.time.sleep", sleep):
        with pytest.raises(_Stop):
            call_command("send_reminders", "--every", "10", stdout=StringIO())

    statuses = set(booking.notifications.values_list("status", flat=True))
    assert statuses == {Notification.Status.PENDING}


@pytest.mark.django_db(transaction=True)
def test_ctrl_c_stops_the_reminder_loop_quietly(shop_a):
    def sleep(seconds):
        raise KeyboardInterrupt  # what Ctrl-C in `make run`'s terminal does to the loop

    out = StringIO()
    with mock.patch("booking.management.commands.send_reminders.time.sleep", sleep):
        call_command("send_reminders", "--every", "10", stdout=out)  # returns, no traceback

    assert "Traceback" not in out.getvalue()
