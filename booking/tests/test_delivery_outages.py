"""E-mail delivery across a database outage: nothing lost, nothing sent twice by the outage."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail
from django.db import OperationalError
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from booking.emails import build_message
from booking.management.commands.db_worker import Worker
from booking.models import Notification
from booking.notifications import deliver, requeue_stalled
from booking.tests.helpers import book

Status = Notification.Status
DROPPED = OperationalError("server closed the connection unexpectedly")


def _failing_once(predicate):
    """QuerySet.update that raises a dropped connection the first time `predicate(kwargs)`."""
    real_update = QuerySet.update
    failed = []

    def update(self, **kwargs):
        if predicate(kwargs) and not failed:
            failed.append(kwargs)
            raise DROPPED
        return real_update(self, **kwargs)

    return mock.patch.object(QuerySet, "update", update), failed


@pytest.fixture
def no_waiting():
    with mock.patch("time.sleep"):
        yield


# Transactional: waiting out an outage closes the broken connection, which a test's wrapping
# transaction would not survive (the worker runs outside any transaction, as here).
@pytest.mark.django_db(transaction=True)
def test_an_accepted_email_is_recorded_sent_when_the_database_drops_for_a_moment(
    shop_a, no_waiting
):
    confirmation = book(shop_a).notifications.get(kind="confirmation")
    patch, failed = _failing_once(lambda kwargs: kwargs.get("status") == Status.SENT)

    with patch:
        assert deliver(confirmation.pk) == "sent"

    assert failed, "the outage was not simulated"
    confirmation.refresh_from_db()
    assert confirmation.status == Status.SENT
    # Sent once; a row left "sending" would have gone out again after the lease.
    assert [m.to for m in mail.outbox] == [["jane@example.com"]]


@pytest.mark.django_db(transaction=True)
def test_a_claimed_email_goes_back_to_the_queue_when_the_database_drops_before_the_send(
    shop_a, no_waiting
):
    confirmation = book(shop_a).notifications.get(kind="confirmation")

    with mock.patch("booking.notifications.build_message", side_effect=DROPPED):
        assert deliver(confirmation.pk) == "retry"

    confirmation.refresh_from_db()
    assert (confirmation.status, confirmation.attempts) == (Status.PENDING, 0)
    assert mail.outbox == []
    # Its new task sends it at once, not after the ten-minute lease on stalled rows.
    assert deliver(confirmation.pk) == "sent"


@pytest.mark.django_db(transaction=True)
def test_a_task_cut_off_by_an_outage_runs_again_when_its_worker_reconnects(shop_a):
    booking = book(shop_a)
    # What an outage leaves behind: the worker claimed a task, then lost the database.
    cut_off = DBTaskResult.objects.filter(status=TaskResultStatus.READY).first()
    cut_off.claim("worker-1")

    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="worker-1",
        excluded_queue_names=[],
    ).run()

    cut_off.refresh_from_db()
    assert cut_off.status == TaskResultStatus.SUCCESSFUL
    assert set(booking.notifications.values_list("status", flat=True)) == {Status.SENT}


def test_every_try_of_one_email_carries_the_same_message_id(shop_a):
    confirmation, alert = book(shop_a).notifications.order_by("kind")

    first = build_message(confirmation).extra_headers["Message-ID"]

    assert build_message(confirmation).extra_headers["Message-ID"] == first
    assert build_message(alert).extra_headers["Message-ID"] != first
    assert first.startswith(f"<{confirmation.booking_id}.")


class _Killed(BaseException):
    """The worker process dying (SIGKILL): no handler of ours runs."""


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_after_the_server_accepted_sends_that_email_once_more_same_message_id(
    shop_a,
):
    # The one window where an e-mail goes out twice (README: "Exactly once"): the mail server
    # answered 250, and the worker died before the row said so.
    confirmation = book(shop_a).notifications.get(kind="confirmation")
    real_update = QuerySet.update

    def update(self, **kwargs):
        if kwargs.get("status") == Status.SENT:
            raise _Killed
        return real_update(self, **kwargs)

    with mock.patch.object(QuerySet, "update", update), pytest.raises(_Killed):
        deliver(confirmation.pk)
    confirmation.refresh_from_db()
    assert confirmation.status == Status.SENDING
    assert len(mail.outbox) == 1

    # After the lease another worker takes it over and sends it again, recognisably the same.
    later = timezone.now() + dt.timedelta(seconds=settings.EMAIL_LEASE_SECONDS + 1)
    requeue_stalled(now=later)
    confirmation.refresh_from_db()
    assert confirmation.status == Status.PENDING
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert deliver(confirmation.pk) == "sent"

    assert len(mail.outbox) == 2
    first, second = (m.extra_headers["Message-ID"] for m in mail.outbox)
    assert first == second
