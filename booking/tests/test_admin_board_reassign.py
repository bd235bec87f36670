"""A job's reassign form on the dispatch board: another technician or time, without JavaScript;
refused in plain words when it would double-book a technician or break a shift; the customer
told of a new time."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from unittest import mock

import pytest
from django.contrib.admin.models import LogEntry
from django.core.management import call_command

from booking.models import Booking, Notification, Occupancy
from booking.services import booking_assign, booking_reschedule
from booking.tests.helpers import TUESDAY, book, seats_taken
from technicians.tests.helpers import hire
from webhooks.models import WebhookEvent
from webhooks.tests.helpers import endpoint

BOARD = "/admin/booking/booking/calendar/?view=day&date=2026-12-08"
pytestmark = pytest.mark.usefixtures("monday_morning")


def reassign_url(booking) -> str:
    return f"/admin/booking/booking/calendar/{booking.pk}/reassign/"


@pytest.fixture
def crew(shop_a):
    """Ann (8-17) and Mike (8-12)."""
    return hire(shop_a, "Ann Lee"), hire(shop_a, "Mike Ross", hours=("08:00", "12:00"))


@pytest.fixture
def job(shop_a, crew):
    """Jane's dryer job, Tuesday 9:00-10:00 on Ann."""
    return book(shop_a, TUESDAY, "09:00", technician=crew[0], appliance="Dryer")


def move(client, booking, technician, time: str, **extra):
    return client.post(
        reassign_url(booking),
        {
            "technician": technician.pk if technician else "",
            "date": TUESDAY.isoformat(),
            "time": f"{time}:00",
            "next": BOARD,
            **extra,
        },
    )


def told_customer(booking) -> list[tuple[str, dt.time]]:
    rows = Notification.objects.filter(booking=booking, kind=Notification.Kind.RESCHEDULED)
    return [(row.recipient, row.scheduled_time) for row in rows]


def ledger_adds_up() -> None:
    call_command("check_ledger", stdout=StringIO())


def test_the_reassign_form_works_without_javascript(client, bob, job, crew):
    client.force_login(bob)

    response = client.get(reassign_url(job), {"next": BOARD})

    html = response.content.decode()
    assert response.status_code == 200
    assert '<option value="">Unassigned</option>' in html
    assert f'<option value="{crew[0].pk}" selected>Ann Lee</option>' in html
    assert '<option value="09:00:00" selected>9 AM</option>' in html
    assert "at 9:00 AM for" in html
    assert f'name="next" value="{BOARD.replace("&", "&amp;")}"' in html
    # A dispatcher is not offered the owner's overbook.
    assert 'name="overbook"' not in html


def test_bob_gives_a_job_to_another_technician_at_another_time(client, bob, job, crew):
    ann, mike = crew
    client.force_login(bob)

    response = move(client, job, mike, "10:00")

    assert response.status_code == 302 and response.url == BOARD
    job.refresh_from_db()
    assert (job.technician, job.scheduled_time) == (mike, dt.time(10))
    assert set(Occupancy.objects.filter(booking=job).values_list("technician", flat=True)) == {
        mike.pk
    }
    assert told_customer(job) == [("jane@example.com", dt.time(10))]
    assert LogEntry.objects.get().change_message == (
        "Reassigned from Tue Dec 08 9 AM with Ann Lee to Tue Dec 08 10 AM with Mike Ross."
    )
    board = client.get(BOARD).content.decode()
    assert "Jane Smith: Tue Dec 08 10 AM with Mike Ross." in board
    ledger_adds_up()


def test_another_technician_at_the_same_time_does_not_e_mail_the_customer(client, bob, job, crew):
    client.force_login(bob)

    response = move(client, job, crew[1], "09:00")

    assert response.status_code == 302
    job.refresh_from_db()
    assert job.technician == crew[1]
    assert told_customer(job) == []
    ledger_adds_up()


def test_a_job_given_to_nobody_at_a_new_time_leaves_the_technicians_day(client, bob, job, shop_a):
    client.force_login(bob)

    response = move(client, job, None, "15:00")

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.technician, job.scheduled_time, job.window) == (None, dt.time(15), "pm")
    assert not Occupancy.objects.filter(booking=job).exists()
    assert (seats_taken(shop_a, TUESDAY, "09:00"), seats_taken(shop_a, TUESDAY, "15:00")) == (0, 1)
    assert told_customer(job) == [("jane@example.com", dt.time(15))]
    ledger_adds_up()


def test_a_move_onto_another_job_is_refused_in_plain_words(client, bob, job, crew, shop_a):
    ann, mike = crew
    other = book(shop_a, TUESDAY, "10:00", technician=mike, appliance="Dryer", name="Raj Patel")
    client.force_login(bob)

    response = move(client, job, mike, "10:00")

    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Jane Smith was not moved: Mike Ross has another job between 10:00 and 11:00 on 2026-12-08."
    ]
    job.refresh_from_db()
    assert (job.technician, job.scheduled_time) == (ann, dt.time(9))
    assert Booking.objects.get(pk=other.pk).technician == mike
    assert told_customer(job) == []
    ledger_adds_up()


def test_a_move_beyond_a_shift_is_refused_in_plain_words(client, bob, job, crew):
    client.force_login(bob)

    response = move(client, job, crew[1], "14:00")

    assert response.status_code == 200
    assert "Mike Ross is not on shift from 14:00 to 15:00 on Tue 2026-12-08" in (
        response.content.decode()
    )
    job.refresh_from_db()
    assert (job.technician, job.scheduled_time) == (crew[0], dt.time(9))


def test_the_owner_may_overbook_beyond_a_shift_but_a_dispatcher_may_not(
    client, alice, bob, job, crew
):
    mike = crew[1]
    client.force_login(bob)
    refused = move(client, job, mike, "14:00", overbook="on")
    client.force_login(alice)
    forced = move(client, job, mike, "14:00", overbook="on")

    assert refused.status_code == 200
    assert forced.status_code == 302
    job.refresh_from_db()
    assert (job.technician, job.scheduled_time, job.overbooked) == (mike, dt.time(14), True)


def test_a_cancelled_job_cannot_be_reassigned(client, bob, job, crew):
    Booking.objects.filter(pk=job.pk).update(status=Booking.Status.CANCELLED)
    client.force_login(bob)

    response = move(client, job, crew[1], "10:00")

    assert response.status_code == 200
    assert "Only a scheduled or confirmed booking can be moved." in response.content.decode()


def test_a_reassign_goes_through_the_services_that_tell_customers_and_technicians(
    client, bob, job, crew
):
    # booking_reschedule and booking_assign are where the customer's and the technicians'
    # e-mails are queued: the board must not move a job around them.
    client.force_login(bob)
    with (
        mock.patch("technicians.services.booking_reschedule", wraps=booking_reschedule) as moved,
        mock.patch("technicians.services.booking_assign", wraps=booking_assign) as assigned,
    ):
        move(client, job, crew[1], "10:00")
        move(client, job, crew[0], "10:00")

    assert moved.call_args.kwargs["technician"] == crew[1]
    assert assigned.call_args.kwargs["technician"] == crew[0]


def test_a_technician_of_another_shop_is_no_choice(client, bob, job, shop_b):
    outsider = hire(shop_b, "Other Shop Tech")
    client.force_login(bob)

    response = move(client, job, outsider, "10:00")

    assert response.status_code == 200
    assert "technician" in response.context["form"].errors
    job.refresh_from_db()
    assert job.scheduled_time == dt.time(9)


def test_charlie_can_neither_see_nor_move_shop_a_s_jobs(client, charlie, job, crew):
    client.force_login(charlie)

    shown = client.get(reassign_url(job))
    posted = move(client, job, crew[1], "10:00")

    assert (shown.status_code, posted.status_code) == (404, 404)
    job.refresh_from_db()
    assert (job.technician, job.scheduled_time) == (crew[0], dt.time(9))
    assert told_customer(job) == []


def test_a_next_off_this_site_goes_back_to_the_calendar(client, bob, job, crew):
    client.force_login(bob)

    response = move(client, job, crew[1], "10:00", next="https://evil.example/")

    assert response.url == "/admin/booking/booking/calendar/"


def test_in_a_shop_without_technicians_the_form_moves_by_seats(client, bob, shop_a):
    job = book(shop_a, TUESDAY, "09:00", appliance="Dryer")
    for name in ("Raj Patel", "Lee Wong"):
        book(shop_a, TUESDAY, "11:00", appliance="Dryer", name=name)
    client.force_login(bob)

    full = move(client, job, None, "11:00")
    moved = move(client, job, None, "10:00")

    assert "Jane Smith was not moved: 11:00 on 2026-12-08 is full." in full.content.decode()
    assert moved.status_code == 302
    job.refresh_from_db()
    assert (job.technician, job.scheduled_time) == (None, dt.time(10))
    assert (seats_taken(shop_a, TUESDAY, "09:00"), seats_taken(shop_a, TUESDAY, "10:00")) == (0, 1)
    assert told_customer(job) == [("jane@example.com", dt.time(10))]


def test_a_reassign_for_tomorrow_tells_both_technicians_their_day_changed(client, bob, job, crew):
    ann, mike = crew
    for technician in crew:  # a technician without an address is told nothing
        technician.email = f"{technician.name.split()[0].lower()}@example.com"
        technician.save()
    client.force_login(bob)

    response = move(client, job, mike, "10:00")

    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.technician, job.scheduled_time) == (mike, dt.time(10))
    told = Notification.objects.filter(kind__startswith="technician_").order_by("pk")
    assert [(row.kind, row.technician, row.scheduled_time) for row in told] == [
        (Notification.Kind.TECHNICIAN_REMOVED, ann, dt.time(9)),
        (Notification.Kind.TECHNICIAN_ADDED, mike, dt.time(10)),
    ]


def test_a_job_given_to_nobody_at_a_new_time_is_told_to_its_technician_and_partners(
    client, bob, job, crew, shop_a, settings
):
    settings.WEBHOOK_ALLOW_LOCAL = True
    endpoint(shop_a, "http://127.0.0.1:9/")
    ann = crew[0]
    ann.email = "ann@example.com"
    ann.save()
    client.force_login(bob)

    move(client, job, None, "15:00")

    removed = Notification.objects.get(kind=Notification.Kind.TECHNICIAN_REMOVED)
    assert (removed.technician, removed.scheduled_time) == (ann, dt.time(9))
    [event] = [json.loads(row.body) for row in WebhookEvent.objects.filter(booking=job)]
    assert event["type"] == "booking.rescheduled"
    assert event["data"]["previous"] == {
        "scheduled_time": "09:00:00",
        "time_slot": "am",
        "reassigned": False,
        "technician": "Ann",
    }
    assert event["data"]["booking"]["technician"] is None
