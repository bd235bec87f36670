from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.db import transaction

from booking.models import Booking, Notification
from booking.services import booking_cancel, booking_reschedule
from booking.tests.helpers import book, next_working_day, run_worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site_url(settings):
    settings.SITE_URL = "https://applianceops.test"


def _book_and_send(django_capture_on_commit_callbacks, shop, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(shop, **kwargs)
    run_worker()
    return booking


def _by_recipient(address):
    return [message for message in mail.outbox if address in message.to]


def test_the_customer_gets_a_confirmation_with_everything_they_need(
    django_capture_on_commit_callbacks, shop_a
):
    booking = _book_and_send(django_capture_on_commit_callbacks, shop_a)

    [message] = _by_recipient("jane@example.com")
    day = booking.scheduled_date
    assert message.subject == (
        f"Booked: Refrigerator repair on {booking.scheduled_date:%a, %b} "
        f"{booking.scheduled_date.day}, arriving at 9:00 AM (ref {booking.reference})"
    )
    assert message.from_email == "Done Right Appliance <bookings@applianceops.local>"
    assert message.reply_to == [shop_a.notification_email]
    body = message.body
    for expected in [
        "Done Right Appliance",
        "(661) 555-0100",
        f"{day:%A, %B} {day.day}, {day:%Y}",
        "Technician arrives: at 9:00 AM",
        "123 Main St, Lancaster CA 93534",
        "Refrigerator",
        booking.reference,
        "https://applianceops.test/b/",
    ]:
        assert expected in body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert (
        booking.reference in html and "9:00 AM" in html and "https://applianceops.test/b/" in html
    )


def test_a_customer_who_asked_for_the_morning_is_told_the_morning_window(
    django_capture_on_commit_callbacks, shop_a
):
    shop_a.booking_settings.first_start = dt.time(9)
    shop_a.booking_settings.save()

    booking = _book_and_send(django_capture_on_commit_callbacks, shop_a, time="AM")

    assert booking.scheduled_time == dt.time(9)
    [message] = _by_recipient("jane@example.com")
    assert message.subject.endswith(f"arriving between 9 AM and 12 PM (ref {booking.reference})")
    assert "Technician arrives: between 9 AM and 12 PM\n" in message.body
    assert "9:00" not in message.body
    [(html, _)] = message.alternatives
    assert "<strong>between 9 AM and 12 PM</strong>" in html and "9:00" not in html
    # The shop still reads the exact start its technician is booked at.
    [alert] = _by_recipient(shop_a.notification_email)
    assert alert.subject.endswith("9:00 AM (ahs)")
    assert "9:00 AM (Morning (8-12))" in alert.body
    assert "Customer told:   arriving between 9 AM and 12 PM" in alert.body


def test_the_confirmation_links_to_the_bookings_own_page(
    django_capture_on_commit_callbacks, shop_a, client
):
    booking = _book_and_send(django_capture_on_commit_callbacks, shop_a)

    [message] = _by_recipient("jane@example.com")
    link = next(word for word in message.body.split() if word.startswith("https://"))
    response = client.get(link.removeprefix("https://applianceops.test"))

    assert response.status_code == 200
    assert booking.reference in response.content.decode()


def test_the_confirmation_carries_a_calendar_event_at_the_shops_local_time(
    django_capture_on_commit_callbacks, shop_b
):
    # Shop B is in New York: 14:00 there is 19:00 UTC in winter and 18:00 in summer.
    booking = _book_and_send(django_capture_on_commit_callbacks, shop_b, time="14:00")

    [message] = _by_recipient("jane@example.com")
    [(filename, content, mimetype)] = message.attachments
    assert filename == f"booking-{booking.reference}.ics"
    assert mimetype == "text/calendar"
    calendar = icalendar.Calendar.from_ical(content)
    [event] = calendar.walk("VEVENT")
    starts = event.decoded("DTSTART").astimezone(shop_b.tz)
    assert (starts.date(), starts.time()) == (booking.scheduled_date, dt.time(14, 0))
    # The job's length: the shop's default for a refrigerator.
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(minutes=90)
    assert str(event["UID"]) == f"booking-{booking.pk}@applianceops.test"
    assert "Fix It Fast" in str(event["SUMMARY"])
    assert str(event["LOCATION"]) == "123 Main St, Lancaster CA 93534"


def test_the_shop_gets_an_alert_with_the_partner_numbers_and_an_admin_link(
    django_capture_on_commit_callbacks, shop_a
):
    booking = _book_and_send(
        django_capture_on_commit_callbacks,
        shop_a,
        work_order_number="WO-77",
        claim_number="CL-12",
        authorization_number="AU-9",
    )

    [alert] = _by_recipient(shop_a.notification_email)
    assert alert.subject.startswith("New booking: Jane Smith, Refrigerator,")
    assert alert.subject.endswith("9:00 AM (ahs)")
    assert alert.reply_to == ["jane@example.com"]
    for expected in [
        "Source:          ahs (Partner API)",
        "WO#:             WO-77",
        "Claim #:         CL-12",
        "Authorization #: AU-9",
        f"https://applianceops.test/admin/booking/booking/{booking.pk}/change/",
        "Not cooling.",
    ]:
        assert expected in alert.body
    assert "/b/" not in alert.body, "the customer's own link stays with the customer"


def test_a_booking_without_an_email_alerts_only_the_shop(
    django_capture_on_commit_callbacks, shop_a
):
    _book_and_send(django_capture_on_commit_callbacks, shop_a, email="")

    assert [message.to for message in mail.outbox] == [[shop_a.notification_email]]
    assert Notification.objects.get().kind == Notification.Kind.SHOP_NEW


def test_a_shop_without_an_alert_address_gets_no_alert(django_capture_on_commit_callbacks, shop_a):
    shop_a.notification_email = ""
    shop_a.save()

    _book_and_send(django_capture_on_commit_callbacks, shop_a)

    assert [message.to for message in mail.outbox] == [["jane@example.com"]]


def test_a_rolled_back_booking_sends_nothing(django_capture_on_commit_callbacks, shop_a):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            book(shop_a)
            raise RuntimeError("the request failed after booking")
    run_worker()

    assert callbacks == []
    assert not Booking.objects.exists()
    assert not Notification.objects.exists()
    assert mail.outbox == []


def test_the_booking_is_made_before_any_email_is_sent(django_capture_on_commit_callbacks, shop_a):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(shop_a)

    # Queued, not sent: the request that booked never waited for a mail server.
    assert mail.outbox == []
    assert set(booking.notifications.values_list("status", flat=True)) == {"pending"}


def test_a_cancellation_by_the_shop_tells_the_customer_and_not_the_shop(
    django_capture_on_commit_callbacks, shop_a
):
    booking = _book_and_send(django_capture_on_commit_callbacks, shop_a)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking)
    run_worker()

    [message] = mail.outbox
    assert message.to == ["jane@example.com"]
    assert message.subject.startswith("Cancelled: your Refrigerator repair on")
    assert booking.reference in message.subject
    assert "no technician will come" in message.body


def test_a_cancellation_by_the_customer_tells_the_shop_too(
    django_capture_on_commit_callbacks, shop_a
):
    booking = _book_and_send(django_capture_on_commit_callbacks, shop_a)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        booking_cancel(booking=booking, notify_shop=True)
    run_worker()

    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        ["jane@example.com", shop_a.notification_email]
    )
    [alert] = _by_recipient(shop_a.notification_email)
    assert alert.subject.startswith("Booking cancelled: Jane Smith")


def test_a_reschedule_by_the_shop_sends_the_new_time_and_a_new_calendar_event(
    django_capture_on_commit_callbacks, shop_a
):
    booking = _book_and_send(django_capture_on_commit_callbacks, shop_a)
    mail.outbox.clear()
    new_day = next_working_day(shop_a, days_ahead=5)

    with django_capture_on_commit_callbacks(execute=True):
        booking_reschedule(booking=booking, new_date=new_day, new_time=dt.time(13, 0))
    run_worker()

    [message] = mail.outbox
    assert message.to == ["jane@example.com"]
    assert message.subject.startswith("New time: Refrigerator repair on")
    assert "Technician arrives: at 1:00 PM" in message.body
    [(_, content, _)] = message.attachments
    [event] = icalendar.Calendar.from_ical(content).walk("VEVENT")
    starts = event.decoded("DTSTART").astimezone(shop_a.tz)
    assert (starts.date(), starts.time()) == (new_day, dt.time(13, 0))


def test_a_confirmation_for_a_booking_cancelled_before_it_went_out_is_not_sent(
    django_capture_on_commit_callbacks, shop_a
):
    with django_capture_on_commit_callbacks(execute=True):
        booking = book(shop_a)
        booking_cancel(booking=booking)
    run_worker()

    assert [m.subject.split(":")[0] for m in mail.outbox] == ["Cancelled"]
    confirmation = booking.notifications.get(kind="confirmation")
    assert confirmation.status == "skipped"
    assert "cancelled" in confirmation.last_error


def test_names_with_apostrophes_read_plainly_in_the_text_part(
    django_capture_on_commit_callbacks, shop_a
):
    shop_a.name = "O'Brien & Sons"
    shop_a.save()

    _book_and_send(django_capture_on_commit_callbacks, shop_a)

    [message] = _by_recipient("jane@example.com")
    assert "O'Brien & Sons" in message.body
    assert "O&#x27;Brien &amp; Sons" in message.alternatives[0][0]
