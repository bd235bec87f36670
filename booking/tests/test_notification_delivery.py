from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django_tasks_db.models import DBTaskResult

from booking.models import Booking, Notification
from booking.notifications import MAX_ATTEMPTS, deliver, requeue_stalled
from booking.tests.helpers import FAILING_MAIL, book, contract_body, run_worker

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
Status = Notification.Status


@pytest.fixture
def now(freeze_now):
    return freeze_now(dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC))


def test_a_mail_server_failure_neither_fails_the_booking_nor_loses_the_email(
    api_client, shop_a, now, settings, freeze_now, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING_MAIL
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/booking/book", contract_body(shop_a), format="json")
    run_worker()

    assert response.status_code == 201
    booking = Booking.objects.get(pk=response.json()["booking_id"])
    confirmation = booking.notifications.get(kind="confirmation")
    assert confirmation.status == Status.PENDING
    assert confirmation.attempts == 1
    assert confirmation.last_error == ("SMTPServerDisconnected: Connection unexpectedly closed")
    assert confirmation.next_attempt_at == now + dt.timedelta(minutes=1)
    assert mail.outbox == []

    # The mail server is back; the retry waits for its time, then goes out.
    settings.EMAIL_BACKEND = LOCMEM
    freeze_now(now + dt.timedelta(seconds=30))
    run_worker()
    assert mail.outbox == []
    freeze_now(now + dt.timedelta(minutes=1))
    run_worker()

    confirmation.refresh_from_db()
    assert confirmation.status == Status.SENT
    assert confirmation.attempts == 2
    assert confirmation.sent_at == now + dt.timedelta(minutes=1)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["jane@example.com", shop_a.notification_email]
    )


def test_the_retries_back_off_and_then_give_up(
    shop_a, now, settings, freeze_now, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING_MAIL
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(shop_a, email="")
    alert = booking.notifications.get()
    waits = []
    moment = now
    for _ in range(MAX_ATTEMPTS):
        freeze_now(moment)
        run_worker()
        alert.refresh_from_db()
        if alert.next_attempt_at:
            waits.append(alert.next_attempt_at - moment)
            moment = alert.next_attempt_at

    assert waits == [
        dt.timedelta(minutes=1),
        dt.timedelta(minutes=5),
        dt.timedelta(minutes=30),
        dt.timedelta(hours=2),
        dt.timedelta(hours=6),
    ]
    assert alert.status == Status.FAILED
    assert alert.attempts == MAX_ATTEMPTS
    assert "SMTPServerDisconnected" in alert.last_error
    assert DBTaskResult.objects.ready().count() == 0, "nothing is left queued after giving up"


def test_a_duplicated_task_sends_the_email_once(shop_a, now, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(shop_a, email="")
    alert = booking.notifications.get()

    assert deliver(alert.pk) == "sent"
    assert deliver(alert.pk) == "not due"
    assert len(mail.outbox) == 1


def test_an_email_whose_task_was_lost_is_queued_again(shop_a, now, freeze_now):
    booking = book(shop_a, email="")
    # The task row commits with the booking; here it is lost anyway (a queue pruned by hand).
    DBTaskResult.objects.all().delete()
    run_worker()
    assert mail.outbox == []

    freeze_now(now + dt.timedelta(minutes=11))
    assert requeue_stalled() == 1
    run_worker()

    assert booking.notifications.get().status == Status.SENT
    assert len(mail.outbox) == 1


def test_an_email_left_sending_by_a_dead_worker_is_tried_again(shop_a, now, freeze_now):
    booking = book(shop_a, email="")
    Notification.objects.update(status=Status.SENDING, claimed_at=now, attempts=1)

    freeze_now(now + dt.timedelta(minutes=5))
    assert requeue_stalled() == 0
    freeze_now(now + dt.timedelta(minutes=11))
    requeue_stalled()
    run_worker()

    alert = booking.notifications.get()
    assert (alert.status, alert.attempts) == (Status.SENT, 2)


@pytest.mark.django_db(transaction=True)
def test_the_database_queue_and_worker_deliver_a_committed_booking(shop_a):
    # No wrapping test transaction: the on-commit hook fires for real and the worker runs with
    # its own connection handling, as `manage.py db_worker` does in production.
    booking = book(shop_a)

    # One task sends the booking's two e-mails; it was written in the booking's transaction.
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    run_worker()

    assert set(booking.notifications.values_list("status", flat=True)) == {Status.SENT}
    assert DBTaskResult.objects.filter(status="SUCCESSFUL").count() == 1
    assert len(mail.outbox) == 2
