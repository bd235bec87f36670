"""The portal's Move: an agent gives one of its bookings a new day and time."""

from __future__ import annotations

import pytest

from applianceops.tests.helpers import does_not_fit, screenshot
from booking.models import Booking, Notification
from booking.tests.helpers import (
    TUESDAY,
    WEDNESDAY,
    book,
    fill_starts,
    seats_taken,
)
from schedulerAccounts.tests.helpers import PORTAL_PASSWORD, portal_login


@pytest.fixture
def agent(client, account_a):
    client.force_login(portal_login(account_a[0]))
    return client


@pytest.fixture
def partner_booking(shop_a, account_a, monday_morning):
    """Account A's booking, Tuesday 09:00."""
    booking = book(shop_a, TUESDAY, "09:00")
    Booking.objects.filter(pk=booking.pk).update(account=account_a[0], source="acme")
    booking.refresh_from_db()
    return booking


def url(booking) -> str:
    return f"/scheduler/bookings/{booking.pk}/reschedule"


def test_the_bookings_list_offers_move_beside_cancel(agent, partner_booking):
    page = agent.get("/scheduler/bookings").content.decode()

    assert f'href="{url(partner_booking)}"' in page
    assert "Cancel booking" in page


def test_an_agent_moves_a_booking_to_another_window(agent, shop_a, partner_booking):
    response = agent.post(url(partner_booking), {"scheduled_date": WEDNESDAY, "time_slot": "pm"})

    assert response.status_code == 302
    partner_booking.refresh_from_db()
    assert (partner_booking.scheduled_date, partner_booking.window) == (WEDNESDAY, "pm")
    assert seats_taken(shop_a, TUESDAY, "09:00") == 0
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {"rescheduled", "shop_rescheduled"} <= kinds
    page = agent.get("/scheduler/bookings").content.decode()
    assert "Moved: Jane Smith is now on Wed Dec 9 at 12:00." in page


def test_a_full_day_is_refused_on_the_form(agent, shop_a, partner_booking):
    fill_starts(shop_a, WEDNESDAY)

    response = agent.post(url(partner_booking), {"scheduled_date": WEDNESDAY, "time_slot": ""})

    assert response.status_code == 200
    assert "No start time with room is left on Wed Dec 9" in response.content.decode()
    partner_booking.refresh_from_db()
    assert partner_booking.scheduled_date == TUESDAY


def test_another_partners_booking_is_a_404(client, account_a2, partner_booking):
    client.force_login(portal_login(account_a2[0]))

    assert client.get(url(partner_booking)).status_code == 404
    response = client.post(url(partner_booking), {"scheduled_date": WEDNESDAY})
    assert response.status_code == 404


def test_a_cancelled_booking_cannot_be_moved(agent, partner_booking):
    Booking.objects.filter(pk=partner_booking.pk).update(status="cancelled")

    response = agent.get(url(partner_booking))

    assert response.status_code == 302


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_agent_moves_a_booking_on_a_phone(live_server, phone_page, account_a, shop_a):
    from booking.tests.helpers import next_working_day

    day = next_working_day(shop_a, days_ahead=2)
    later = next_working_day(shop_a, days_ahead=(day - shop_a.today()).days + 1)
    booking = book(shop_a, day, "09:00")
    Booking.objects.filter(pk=booking.pk).update(account=account_a[0])
    page = phone_page
    page.goto(live_server.url + "/scheduler-login.html")
    page.get_by_label("Username").fill("acme-agent")
    page.get_by_label("Password").fill(PORTAL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + "/scheduler/bookings")

    page.get_by_role("link", name="Move").click()
    page.get_by_label("New date").fill(later.isoformat())
    page.get_by_label("Time").select_option("pm")
    screenshot(page, "portal-reschedule-phone")
    page.get_by_role("button", name="Move booking").click()

    page.get_by_role("heading", name="Our bookings").wait_for()
    assert "Moved: Jane Smith" in page.get_by_role("status").first.inner_text()
    assert does_not_fit(page) == []
    booking.refresh_from_db()
    assert (booking.scheduled_date, booking.window) == (later, "pm")
