from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail, signing

from applianceops.tests.helpers import screenshot
from booking.models import Booking, Notification, SeatCounter
from booking.self_service import SALT, self_service_token
from booking.tests.helpers import book, run_worker

LA = ZoneInfo("America/Los_Angeles")
WEDNESDAY = dt.date(2026, 12, 2)


@pytest.fixture
def tuesday(freeze_now):
    return freeze_now(dt.datetime(2026, 12, 1, 8, 0, tzinfo=LA))


@pytest.fixture
def jane(db, shop_a, tuesday):
    return book(shop_a, day=WEDNESDAY, time="09:00")


def url(booking, action=""):
    return f"/b/{self_service_token(booking)}/{action}"


def test_the_link_shows_the_booking(client, jane):
    response = client.get(url(jane))

    assert response.status_code == 200
    page = response.content.decode()
    for expected in [
        "Done Right Appliance",
        "Wednesday, December 2, 2026",
        "9:00 AM",
        '9:00 AM<span class="ss-muted">, morning (8-12) window',
        "123 Main St, Lancaster CA 93534",
        jane.reference,
        "Pick another time",
        "Cancel the visit",
    ]:
        assert expected in page
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_mail_scanner_asking_for_the_link_with_head_gets_the_page(client, jane):
    response = client.head(url(jane))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")


def test_the_link_gives_the_shops_number_to_tap(client, jane):
    page = client.get(url(jane)).content.decode()

    assert '<a class="tel" href="tel:+16615550100">(661) 555-0100</a>' in page


def test_the_customer_can_cancel_and_the_shop_is_told(
    client, jane, shop_a, django_capture_on_commit_callbacks
):
    confirm = client.get(url(jane, "cancel"))
    assert "Cancel this visit?" in confirm.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(jane, "cancel"), follow=True)
    run_worker()

    page = response.content.decode()
    assert "Your booking is cancelled. We have let Done Right Appliance know." in page
    assert "Pick another time" not in page
    jane.refresh_from_db()
    assert jane.status == Booking.Status.CANCELLED
    assert SeatCounter.objects.get(date=WEDNESDAY, start_time=dt.time(9)).booked == 0
    alerts = [m for m in mail.outbox if m.to == [shop_a.notification_email]]
    assert [m.subject.split(":")[0] for m in alerts] == ["Booking cancelled"]


def test_cancelling_needs_the_csrf_token(jane):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(url(jane, "cancel"))

    assert response.status_code == 403
    jane.refresh_from_db()
    assert jane.status == Booking.Status.SCHEDULED


def test_the_reschedule_page_offers_only_open_start_times(client, jane, shop_a):
    SeatCounter.objects.filter(date=WEDNESDAY, start_time=dt.time(10)).update(booked=2)

    page = client.get(url(jane, "reschedule")).content.decode()

    assert 'value="2026-12-02T11:00"' in page
    assert 'value="2026-12-02T10:00"' not in page, "full"
    assert 'value="2026-12-02T09:00"' not in page, "the booking's own time"
    assert 'value="2026-12-01T09:00"' not in page, "sooner than the minimum notice"
    assert 'value="2026-12-01T11:00"' in page
    assert "2026-12-05" not in page and "2026-12-06" not in page, "the weekend"


def test_the_reschedule_page_offers_no_day_past_the_shops_horizon(client, jane, shop_a):
    shop_a.booking_settings.horizon_days = 2  # today (Tuesday) through Thursday
    shop_a.booking_settings.save()

    page = client.get(url(jane, "reschedule")).content.decode()

    assert 'value="2026-12-03T08:00"' in page
    assert "2026-12-04" not in page


def test_the_reschedule_page_offers_five_days_at_a_fixed_cost(
    client, jane, shop_a, django_assert_num_queries
):
    for hour in (8, 10, 12, 14):
        book(shop_a, day=WEDNESDAY, time=f"{hour:02d}:00")
    # The booking with its shop, then booking.availability's four: settings, blackouts, active
    # technicians (none), seats.
    with django_assert_num_queries(5):
        page = client.get(url(jane, "reschedule")).content.decode()

    offered = {
        day for day in ("01", "02", "03", "04", "07", "08") if f'value="2026-12-{day}T' in page
    }
    assert offered == {"01", "02", "03", "04", "07"}


def test_the_customer_can_move_the_visit_and_the_shop_is_told(
    client, jane, shop_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(jane, "reschedule"), {"start": "2026-12-03T14:00"}, follow=True)
    run_worker()

    assert "Done: your visit is now Thursday, December 3 at 2:00 PM." in response.content.decode()
    jane.refresh_from_db()
    assert (jane.scheduled_date, jane.scheduled_time) == (dt.date(2026, 12, 3), dt.time(14))
    kinds = set(jane.notifications.values_list("kind", flat=True))
    assert {Notification.Kind.RESCHEDULED, Notification.Kind.SHOP_RESCHEDULED} <= kinds
    [alert] = [m for m in mail.outbox if m.subject.startswith("Booking moved")]
    assert alert.to == [shop_a.notification_email]


def test_a_full_time_is_refused_with_a_clear_message(client, jane, shop_a):
    SeatCounter.objects.filter(date=WEDNESDAY, start_time=dt.time(13)).update(booked=2)

    response = client.post(url(jane, "reschedule"), {"start": "2026-12-02T13:00"})

    assert response.status_code == 200
    assert "That time could not be booked: 13:00 on 2026-12-02 is full" in response.content.decode()
    jane.refresh_from_db()
    assert jane.scheduled_time == dt.time(9)


def test_a_time_that_is_not_a_time_is_refused(client, jane):
    response = client.post(url(jane, "reschedule"), {"start": "tomorrow-ish"})

    assert "Please pick one of the times below." in response.content.decode()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "0" + token[1:] if token[0] != "0" else "1" + token[1:],
        lambda token: token.split(":")[0],
        lambda token: "nonsense",
    ],
    ids=["signature", "booking id", "no signature", "garbage"],
)
def test_an_altered_link_is_refused(client, jane, mangle):
    response = client.get(f"/b/{mangle(self_service_token(jane))}/")

    assert response.status_code == 404
    assert "This link no longer works" in response.content.decode()
    assert jane.reference not in response.content.decode()


def test_a_link_signed_for_something_else_is_refused(client, jane):
    token = signing.Signer(salt="another.purpose").sign(jane.pk.hex)

    assert client.get(f"/b/{token}/").status_code == 404


def test_the_link_stops_working_after_the_appointment_day(client, jane, freeze_now):
    freeze_now(dt.datetime(2026, 12, 2, 10, 0, tzinfo=LA))
    during = client.get(url(jane))
    assert during.status_code == 200
    assert "Pick another time" not in during.content.decode(), "the visit has started"
    assert client.post(url(jane, "cancel")).status_code == 302
    jane.refresh_from_db()
    assert jane.status == Booking.Status.SCHEDULED

    freeze_now(dt.datetime(2026, 12, 3, 0, 0, tzinfo=LA))
    assert client.get(url(jane)).status_code == 404
    assert client.post(url(jane, "cancel")).status_code == 404


def test_charlies_booking_cannot_be_reached_with_a_link_for_alices_shop(
    client, jane, shop_b, charlie
):
    theirs = book(shop_b, day=WEDNESDAY, time="10:00", email="ann@example.com")
    # Alice's signature with Charlie's booking id: the signature covers the id.
    forged = f"{theirs.pk.hex}:{self_service_token(jane).split(':')[1]}"

    assert client.get(f"/b/{forged}/").status_code == 404
    page = client.get(url(jane)).content.decode()
    assert "Fix It Fast" not in page and "ann@example.com" not in page
    assert theirs.reference not in page
    assert signing.Signer(salt=SALT).unsign(self_service_token(jane)) == jane.pk.hex


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_customer_moves_their_visit_on_a_phone(live_server, phone_page, shop_a):
    booking = book(shop_a)
    phone_page.goto(live_server.url + url(booking))
    screenshot(phone_page, "self-service-detail-phone")
    assert phone_page.locator("h1").inner_text() == "Your repair visit"

    phone_page.get_by_role("link", name="Pick another time").click()
    phone_page.locator("label.ss-time").nth(2).click()
    screenshot(phone_page, "self-service-reschedule-phone")
    phone_page.get_by_role("button", name="Move my visit").click()

    assert "Done: your visit is now" in phone_page.locator(".ss-message").inner_text()
    screenshot(phone_page, "self-service-moved-phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    booking.refresh_from_db()
    assert booking.scheduled_time != dt.time(9)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_customer_cancels_on_a_phone(live_server, phone_page, shop_a):
    booking = book(shop_a)
    phone_page.goto(live_server.url + url(booking))

    phone_page.get_by_role("link", name="Cancel the visit").click()
    screenshot(phone_page, "self-service-cancel-phone")
    phone_page.get_by_role("button", name="Yes, cancel the visit").click()

    assert phone_page.locator("h1").inner_text() == "Your booking is cancelled"
    screenshot(phone_page, "self-service-cancelled-phone")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
