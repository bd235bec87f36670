from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
from django.core import mail, signing

from applianceops.tests.helpers import does_not_fit, screenshot
from booking.models import Booking, Notification, SeatCounter
from booking.self_service import SALT, self_service_token
from booking.tests.helpers import book, fill_starts, run_worker

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
        "<dd>At 9:00 AM</dd>",
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


def offered(page: str) -> set[str]:
    """The day and window choices of a reschedule page: {"2026-12-03:pm", ...}."""
    return set(re.findall(r'name="move" value="([^"]+)"', page))


def test_the_reschedule_page_offers_the_windows_the_booking_page_shows_with_room(
    client, jane, shop_a
):
    fill_starts(shop_a, dt.date(2026, 12, 3), range(8, 12))  # Thursday morning full

    page = client.get(url(jane, "reschedule")).content.decode()

    # Tuesday 8 AM now: with two hours' notice its morning still has 10 and 11 o'clock.
    assert offered(page) == {
        "2026-12-01:am",
        "2026-12-01:pm",
        "2026-12-02:pm",  # Wednesday morning is where the visit is now
        "2026-12-03:pm",
        "2026-12-04:am",
        "2026-12-04:pm",
    }
    assert "your visit now" in page
    assert page.count(">full<") == 1
    days = availability(client, shop_a, "2026-12-03")
    assert (days["am"], days["pm"]) == (False, True), "what the booking page shows"


def availability(client, shop, day: str) -> dict:
    return client.get(f"/book/{shop.slug}/availability", {"date": day}).json()


def test_every_week_up_to_the_shops_horizon_is_a_tap_away(
    client, jane, shop_a, django_assert_num_queries
):
    shop_a.booking_settings.horizon_days = 58  # today (Tuesday 1 December) to Thursday 28 January
    shop_a.booking_settings.save()
    fill_starts(shop_a, dt.date(2026, 12, 14))  # Monday the 14th is full all day
    for hour in (8, 10, 12, 14):
        book(shop_a, day=WEDNESDAY, time=f"{hour:02d}:00")

    # The booking with its shop, then booking.availability's four: settings, blackouts, active
    # technicians (none), seats.
    with django_assert_num_queries(5):
        page = client.get(url(jane, "reschedule"), {"week": "2026-12-16"}).content.decode()
    last_week = client.get(url(jane, "reschedule"), {"week": "2027-01-25"}).content.decode()

    weeks = re.findall(r'class="ss-week[^"]*" href="\?week=([\d-]+)"', page)
    assert weeks[0] == "2026-11-30" and weeks[-1] == "2027-01-25" and len(weeks) == 9
    assert 'href="?week=2026-12-14" aria-current="true"' in page
    assert {choice[:10] for choice in offered(page)} == {f"2026-12-{d}" for d in (15, 16, 17, 18)}
    assert {choice[:10] for choice in offered(last_week)} == {
        f"2027-01-{d}" for d in (25, 26, 27, 28)
    }


def test_the_customer_can_move_the_visit_and_the_shop_is_told(
    client, jane, shop_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url(jane, "reschedule"), {"move": "2026-12-03:pm"}, follow=True)
    run_worker()

    assert (
        "Done: your visit is now Thursday, December 3, arriving between 12 PM and 5 PM."
        in response.content.decode()
    )
    jane.refresh_from_db()
    assert (jane.scheduled_date, jane.scheduled_time) == (dt.date(2026, 12, 3), dt.time(12))
    kinds = set(jane.notifications.values_list("kind", flat=True))
    assert {Notification.Kind.RESCHEDULED, Notification.Kind.SHOP_RESCHEDULED} <= kinds
    [alert] = [m for m in mail.outbox if m.subject.startswith("Booking moved")]
    assert alert.to == [shop_a.notification_email]
    [moved] = [m for m in mail.outbox if m.subject.startswith("New time")]
    assert "arriving between 12 PM and 5 PM" in moved.subject


def test_a_window_that_filled_meanwhile_is_refused_with_a_clear_message(client, jane, shop_a):
    fill_starts(shop_a, dt.date(2026, 12, 3), range(12, 17))

    response = client.post(url(jane, "reschedule"), {"move": "2026-12-03:pm"})

    assert response.status_code == 200
    assert (
        "The afternoon of Thursday, December 3 has no time with room left now. "
        "Please pick another." in response.content.decode()
    )
    jane.refresh_from_db()
    assert jane.scheduled_time == dt.time(9)


def test_a_choice_that_is_not_a_day_and_window_is_refused(client, jane):
    response = client.post(url(jane, "reschedule"), {"move": "tomorrow-ish"})

    assert "Please pick a day and a window below." in response.content.decode()


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


@pytest.fixture(params=[360, 1280], ids=["phone", "laptop"])
def sized_page(request, browser):
    """The page at a phone's 360 px, then at a laptop's 1280 px."""
    phone = request.param < 600
    context = browser.new_context(
        viewport={"width": request.param, "height": 800}, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    page.size = request.node.callspec.id
    yield page
    context.close()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_customer_moves_their_visit_to_a_later_week(live_server, sized_page, shop_a, tuesday):
    # Tuesday 1 December; the visit is on Monday the 14th and she wants the week after.
    booking = book(shop_a, day=dt.date(2026, 12, 14), time="AM")
    page = sized_page
    page.goto(live_server.url + url(booking))
    screenshot(page, f"self-service-detail-{page.size}")
    assert page.locator("h1").inner_text() == "Your repair visit"
    assert "Between 8 AM and 12 PM" in page.locator(".ss-details").inner_text()

    page.get_by_role("link", name="Pick another time").click()
    weeks = page.get_by_role("navigation", name="Weeks").get_by_role("link")
    assert weeks.count() == 9, "every week up to the horizon, 60 days ahead"
    weeks.filter(has_text="Dec 21").click()
    assert page.locator("h2.ss-week-title").inner_text() == "Week of Monday, December 21"
    tuesday_22 = page.get_by_role("group", name="Tuesday, December 22")
    tuesday_22.get_by_role("radio", name="Afternoon").check()
    screenshot(page, f"self-service-reschedule-{page.size}")
    assert does_not_fit(page) == []
    page.get_by_role("button", name="Move my visit").click()

    assert page.locator(".ss-message").inner_text() == (
        "Done: your visit is now Tuesday, December 22, arriving between 12 PM and 5 PM."
    )
    screenshot(page, f"self-service-moved-{page.size}")
    booking.refresh_from_db()
    assert (booking.scheduled_date, booking.scheduled_time) == (dt.date(2026, 12, 22), dt.time(12))


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
