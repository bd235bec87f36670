"""The shop cancels or moves a booking in the admin: the customer hears of it, once."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core import mail

from booking.models import Booking
from booking.tests.helpers import TUESDAY, WEDNESDAY, book, change_data, run_worker

URL = "/admin/booking/booking/"
pytestmark = pytest.mark.usefixtures("monday_morning")


@pytest.fixture
def booking(shop_a, django_capture_on_commit_callbacks):
    """Jane's booking, its confirmation and alert already sent, so only new e-mails count."""
    with django_capture_on_commit_callbacks(execute=True):
        made = book(shop_a, day=TUESDAY, time="09:00")
    run_worker()
    mail.outbox.clear()
    return made


def sent_after(django_capture_on_commit_callbacks, do) -> list:
    """Run `do` as a request, then the task worker, and return the e-mails that went out."""
    with django_capture_on_commit_callbacks(execute=True):
        response = do()
    run_worker()
    assert response.status_code in (200, 302)
    return mail.outbox


NEW_TIME = {"scheduled_date": WEDNESDAY.isoformat(), "scheduled_time": "14:00:00"}


def save_page(client, booking, **changes):
    """The booking page saved with `changes`, as a request for sent_after."""
    return lambda: client.post(f"{URL}{booking.pk}/change/", change_data(booking, **changes))


def move_on_calendar(client, booking):
    """The calendar card's move to Wednesday 14:00, as a request for sent_after."""
    return lambda: client.post(
        f"{URL}calendar/{booking.pk}/move/", {"date": WEDNESDAY.isoformat(), "time": "14:00"}
    )


@pytest.fixture
def wednesday_two_pm_full(shop_a):
    book(shop_a, day=WEDNESDAY, time="14:00", email="")
    book(shop_a, day=WEDNESDAY, time="14:00", email="")


def subjects(messages) -> list[tuple[str, str]]:
    return [(m.to[0], m.subject.split(":")[0]) for m in messages]


@pytest.mark.parametrize("user", ["alice", "bob"])
def test_the_cancel_action_tells_the_customer_once(
    client, request, booking, user, django_capture_on_commit_callbacks
):
    client.force_login(request.getfixturevalue(user))

    sent = sent_after(
        django_capture_on_commit_callbacks,
        lambda: client.post(
            URL, {"action": "cancel", "_selected_action": [str(booking.pk)], "index": 0}
        ),
    )

    assert subjects(sent) == [("jane@example.com", "Cancelled")]
    assert booking.reference in sent[0].subject


def test_cancelling_twice_from_the_list_sends_one_email(
    client, bob, booking, django_capture_on_commit_callbacks
):
    client.force_login(bob)
    post = {"action": "cancel", "_selected_action": [str(booking.pk)], "index": 0}

    sent = sent_after(django_capture_on_commit_callbacks, lambda: client.post(URL, post))
    sent = sent_after(django_capture_on_commit_callbacks, lambda: client.post(URL, post))

    assert subjects(sent) == [("jane@example.com", "Cancelled")]


def test_a_new_time_on_the_booking_page_sends_the_new_time_with_its_calendar_event(
    client, bob, shop_a, booking, django_capture_on_commit_callbacks
):
    client.force_login(bob)

    sent = sent_after(
        django_capture_on_commit_callbacks,
        save_page(client, booking, **NEW_TIME),
    )

    assert subjects(sent) == [("jane@example.com", "New time")]
    assert "2:00 PM" in sent[0].body
    [(_, content, _)] = sent[0].attachments
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    starts = event.decoded("DTSTART").astimezone(shop_a.tz)
    assert (starts.date(), starts.time()) == (WEDNESDAY, dt.time(14))


def test_a_corrected_address_and_a_new_time_in_one_save_go_to_the_new_address(
    client, bob, booking, django_capture_on_commit_callbacks
):
    client.force_login(bob)

    sent = sent_after(
        django_capture_on_commit_callbacks,
        save_page(client, booking, email="jane.smith@example.net", **NEW_TIME),
    )

    assert subjects(sent) == [("jane.smith@example.net", "New time")]


def test_a_refused_move_on_the_booking_page_keeps_the_old_address_and_sends_nothing(
    client, bob, booking, wednesday_two_pm_full, django_capture_on_commit_callbacks
):
    client.force_login(bob)

    sent = sent_after(
        django_capture_on_commit_callbacks,
        save_page(client, booking, email="jane.smith@example.net", **NEW_TIME),
    )

    assert [m.to for m in sent if "jane" in m.to[0]] == []
    booking.refresh_from_db()
    assert (booking.email, booking.scheduled_date) == ("jane@example.com", TUESDAY)


def test_cancelling_on_the_booking_page_tells_the_customer_once(
    client, alice, booking, django_capture_on_commit_callbacks
):
    client.force_login(alice)

    sent = sent_after(
        django_capture_on_commit_callbacks,
        save_page(client, booking, status=Booking.Status.CANCELLED),
    )

    assert subjects(sent) == [("jane@example.com", "Cancelled")]


def test_a_move_and_a_cancel_in_one_save_send_only_the_cancellation(
    client, alice, booking, django_capture_on_commit_callbacks
):
    client.force_login(alice)

    sent = sent_after(
        django_capture_on_commit_callbacks,
        save_page(client, booking, status=Booking.Status.CANCELLED, **NEW_TIME),
    )

    assert subjects(sent) == [("jane@example.com", "Cancelled")]


def test_editing_only_details_sends_nothing(
    client, bob, booking, django_capture_on_commit_callbacks
):
    client.force_login(bob)

    sent = sent_after(
        django_capture_on_commit_callbacks,
        save_page(client, booking, dispatcher_notes="Gate code 42"),
    )

    assert sent == []


def test_a_move_on_the_calendar_tells_the_customer_once(
    client, bob, booking, django_capture_on_commit_callbacks
):
    client.force_login(bob)

    sent = sent_after(
        django_capture_on_commit_callbacks,
        move_on_calendar(client, booking),
    )

    assert subjects(sent) == [("jane@example.com", "New time")]
    assert "Wednesday, December 9, 2026" in sent[0].body


def test_a_refused_move_on_the_calendar_sends_nothing(
    client, bob, booking, wednesday_two_pm_full, django_capture_on_commit_callbacks
):
    client.force_login(bob)

    sent = sent_after(
        django_capture_on_commit_callbacks,
        move_on_calendar(client, booking),
    )

    assert [m for m in sent if m.to == ["jane@example.com"]] == []
