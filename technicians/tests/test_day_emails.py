"""E-mails to technicians when a job is added to, moved on or taken off today or tomorrow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction

from booking.models import Booking, Notification
from booking.self_service import self_service_token
from booking.services import (
    booking_assign,
    booking_cancel,
    booking_reschedule,
    booking_set_status,
)
from booking.tests.helpers import MONDAY, TUESDAY, book, change_data, run_worker
from technicians.links import day_url
from technicians.tests.helpers import ann_of, hire

pytestmark = pytest.mark.usefixtures("monday_morning")
Kind = Notification.Kind
NEXT_WEEK = MONDAY + dt.timedelta(days=7)


@pytest.fixture
def ann(shop_a):
    return ann_of(shop_a)


@pytest.fixture
def mike(shop_a):
    return hire(shop_a, "Mike Ross", email="mike@example.com")


def technician_emails() -> list[tuple[str, str, dt.date, dt.time]]:
    """(kind, recipient, day, start) of every e-mail to a technician, oldest first."""
    rows = Notification.objects.filter(kind__startswith="technician_").order_by("pk")
    return list(rows.values_list("kind", "recipient", "scheduled_date", "scheduled_time"))


def at(hour: int) -> dt.time:
    return dt.time(hour)


@pytest.mark.parametrize("day", [MONDAY, TUESDAY], ids=["today", "tomorrow"])
def test_a_job_added_today_or_tomorrow_emails_its_technician(ann, day):
    book(ann.shop, day, at(9), technician=ann)

    assert technician_emails() == [(Kind.TECHNICIAN_ADDED, "ann@example.com", day, at(9))]


def test_a_job_added_next_week_emails_nobody(ann):
    book(ann.shop, NEXT_WEEK, at(9), technician=ann)

    assert technician_emails() == []


def test_the_job_the_engine_assigns_itself_is_told_too(ann):
    book(ann.shop, TUESDAY, "AM")

    assert technician_emails() == [(Kind.TECHNICIAN_ADDED, "ann@example.com", TUESDAY, at(8))]


def test_a_move_on_the_day_tells_the_new_time(ann):
    job = book(ann.shop, MONDAY, at(9), technician=ann)
    Notification.objects.all().delete()

    booking_reschedule(booking=job, new_date=MONDAY, new_time=at(13))

    assert technician_emails() == [(Kind.TECHNICIAN_MOVED, "ann@example.com", MONDAY, at(13))]


@pytest.mark.parametrize(
    ("first", "then"), [(NEXT_WEEK, TUESDAY), (TUESDAY, NEXT_WEEK)], ids=["into", "out of"]
)
def test_a_move_into_or_out_of_the_next_two_days_is_told(ann, first, then):
    job = book(ann.shop, first, at(9), technician=ann)
    Notification.objects.all().delete()

    booking_reschedule(booking=job, new_date=then, new_time=at(10))

    assert technician_emails() == [(Kind.TECHNICIAN_MOVED, "ann@example.com", then, at(10))]


def test_a_move_within_next_week_emails_nobody(ann):
    job = book(ann.shop, NEXT_WEEK, at(9), technician=ann)

    booking_reschedule(booking=job, new_date=NEXT_WEEK + dt.timedelta(days=1), new_time=at(10))

    assert technician_emails() == []


def test_a_cancelled_job_is_taken_off_the_day(ann):
    job = book(ann.shop, TUESDAY, at(9), technician=ann)
    Notification.objects.all().delete()

    booking_cancel(booking=job, notify_customer=False)

    assert technician_emails() == [(Kind.TECHNICIAN_REMOVED, "ann@example.com", TUESDAY, at(9))]


def test_a_reassign_tells_both_technicians(ann, mike):
    job = book(ann.shop, MONDAY, at(9), technician=ann)
    Notification.objects.all().delete()

    booking_assign(booking=job, technician=mike)

    assert technician_emails() == [
        (Kind.TECHNICIAN_REMOVED, "ann@example.com", MONDAY, at(9)),
        (Kind.TECHNICIAN_ADDED, "mike@example.com", MONDAY, at(9)),
    ]


def test_a_move_onto_another_technician_tells_both(ann, mike):
    job = book(ann.shop, MONDAY, at(9), technician=ann)
    Notification.objects.all().delete()

    booking_reschedule(booking=job, new_date=TUESDAY, new_time=at(10), technician=mike)

    assert technician_emails() == [
        (Kind.TECHNICIAN_REMOVED, "ann@example.com", MONDAY, at(9)),
        (Kind.TECHNICIAN_ADDED, "mike@example.com", TUESDAY, at(10)),
    ]


def test_unassigning_takes_it_off_the_day(ann):
    job = book(ann.shop, MONDAY, at(9), technician=ann)
    Notification.objects.all().delete()

    booking_assign(booking=job, technician=None)

    assert technician_emails() == [(Kind.TECHNICIAN_REMOVED, "ann@example.com", MONDAY, at(9))]


def test_a_job_marked_done_is_no_news(ann):
    job = book(ann.shop, MONDAY, at(9), technician=ann)
    Notification.objects.all().delete()

    booking_set_status(booking=job, status=Booking.Status.COMPLETED)

    assert technician_emails() == []


def test_a_technician_without_an_email_address_is_skipped(shop_a):
    bo = hire(shop_a, "Bo Quiet")

    book(shop_a, MONDAY, at(9), technician=bo)

    assert technician_emails() == []


def test_a_rolled_back_booking_sends_nothing(ann, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            book(ann.shop, MONDAY, at(9), technician=ann)
            raise RuntimeError("the caller's transaction fails after the booking")
    run_worker()

    assert technician_emails() == []
    assert not Booking.objects.exists()
    assert mail.outbox == []


def test_the_email_says_what_changed_and_links_the_day(
    ann, mike, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://applianceops.test"
    job = book(ann.shop, MONDAY, at(9), technician=ann, work_order_number="WO-77")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        booking_assign(booking=job, technician=mike)
    run_worker()

    # The last to each: the booking's own "added" e-mail to Ann went out with the same run.
    to_ann = [m for m in mail.outbox if m.to == ["ann@example.com"]][-1]
    to_mike = [m for m in mail.outbox if m.to == ["mike@example.com"]][-1]
    assert to_ann.subject == "Off your day: Refrigerator, Jane Smith, Mon, Dec 7 9:00 AM"
    assert to_mike.subject == "Added to your day: Refrigerator, Jane Smith, Mon, Dec 7 9:00 AM"
    assert "Hi Ann," in to_ann.body and "Please do not go." in to_ann.body
    assert "Hi Mike," in to_mike.body and "WO#:             WO-77" in to_mike.body
    assert day_url(mike, MONDAY) in to_mike.body
    assert day_url(ann, MONDAY) in to_ann.body
    assert to_mike.reply_to == [ann.shop.notification_email]
    assert "admin" not in to_mike.body, "technicians are sent their day, not the admin"


def test_the_admin_door_tells_the_technicians_too(client, bob, ann, mike):
    job = book(ann.shop, MONDAY, at(9), technician=ann)
    Notification.objects.all().delete()
    client.force_login(bob)

    response = client.post(
        f"/admin/booking/booking/{job.pk}/change/", change_data(job, technician=mike.pk)
    )

    assert response.status_code == 302
    assert [kind for kind, *_ in technician_emails()] == [
        Kind.TECHNICIAN_REMOVED,
        Kind.TECHNICIAN_ADDED,
    ]


def test_the_customers_self_service_door_tells_the_technician_too(client, ann):
    job = book(ann.shop, MONDAY, at(9), technician=ann)
    Notification.objects.all().delete()

    response = client.post(f"/b/{self_service_token(job)}/cancel")

    assert response.status_code == 302
    assert technician_emails() == [(Kind.TECHNICIAN_REMOVED, "ann@example.com", MONDAY, at(9))]
