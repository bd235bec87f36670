from __future__ import annotations

import datetime as dt

import pytest

from booking.services import booking_cancel
from booking.tests.admin_helpers import book
from conftest import next_working_day, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_dispatcher_signs_in_and_opens_the_week(live_server, desktop_page, bob, shop_a):
    bob.set_password("dispatch-pass-123")
    bob.save()
    day = next_working_day(shop_a, days_ahead=2)
    book(shop_a, day, "AM", source="ahs", name="Jane Smith", work_order_number="WO-7781")
    book(shop_a, day, "AM", source="frontdoor", name="Raj Patel", appliance="Washer")
    book(shop_a, day, "10:00", source="angi", name="Lee Wong", appliance="Dishwasher")
    book(shop_a, day + dt.timedelta(days=1), "PM", source="", name="Sam Direct", appliance="Dryer")
    booking_cancel(booking=book(shop_a, day, "PM", source="ahs", name="Gone Away"))
    page = desktop_page

    page.goto(f"{live_server.url}/admin/")
    page.fill("#id_username", "bob")
    page.fill("#id_password", "dispatch-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")
    page.click("text=Calendar")
    page.wait_for_url("**/calendar/")
    page.click("a.button:has-text('Week')")
    page.goto(f"{page.url.split('?')[0]}?view=week&date={day.isoformat()}")
    screenshot(page, "admin-calendar-week-dispatcher")

    assert page.locator(".cal-card").count() == 4
    assert page.locator(".cal-card", has_text="Jane Smith").locator(".cal-wo").inner_text() == (
        "WO# WO-7781"
    )
    assert page.locator("text=Gone Away").count() == 0
    # A dispatcher may move a booking but never sees the overbook box.
    page.locator(".cal-card", has_text="Lee Wong").locator("summary").click()
    assert page.locator(".cal-card", has_text="Lee Wong").locator("select[name=time]").is_visible()
    assert page.locator("input[name=overbook]").count() == 0
    screenshot(page, "admin-calendar-week-move-form")
