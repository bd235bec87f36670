from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from applianceops.tests.helpers import does_not_fit, screenshot
from booking.models import Booking
from booking.services import booking_cancel
from booking.tests.helpers import book, many_bookings, next_working_day

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
    assert page.locator(".cal-card", has_text="Jane Smith").locator("tt").inner_text() == (
        "WO# WO-7781"
    )
    assert page.locator("text=Gone Away").count() == 0
    # A dispatcher may move a booking but never sees the overbook box.
    page.locator(".cal-card", has_text="Lee Wong").locator("a", has_text="Move").click()
    assert page.locator("select[name=time]").is_visible()
    assert page.locator("input[name=overbook]").count() == 0
    screenshot(page, "admin-calendar-week-move-form")


def test_a_booking_moves_from_the_week_without_javascript(live_server, browser, bob, shop_a):
    day = next_working_day(shop_a, days_ahead=2)
    book(shop_a, day, "09:00", name="Jane Smith")
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, java_script_enabled=False
    )
    page = context.new_page()
    sign_in(page, live_server, bob, "dispatch-pass-123")
    week = f"{live_server.url}/admin/booking/booking/calendar/?view=week&date={day}"
    page.goto(week)

    page.locator(".cal-card", has_text="Jane Smith").locator("a", has_text="Move").click()
    screenshot(page, "admin-calendar-move-page-no-js")
    page.locator("select[name=time]").select_option(label="2 PM")
    page.locator("button", has_text="Move").click()
    page.wait_for_url(week)
    screenshot(page, "admin-calendar-week-moved-no-js")

    assert "Moved Jane Smith to" in page.locator(".messagelist").inner_text()
    moved = Booking.objects.get(customer_name="Jane Smith")
    assert (moved.scheduled_date, moved.scheduled_time) == (day, dt.time(14))
    context.close()


def test_a_busy_month_lists_a_few_a_day_and_a_busy_week_fits_a_laptop(
    live_server, desktop_page, bob, shop_a
):
    day = next_working_day(shop_a, days_ahead=2)
    monday = day - dt.timedelta(days=day.weekday())
    many_bookings(shop_a, monday, 300)  # 60 a working day
    page = desktop_page
    sign_in(page, live_server, bob, "dispatch-pass-123")

    page.goto(f"{live_server.url}/admin/booking/booking/calendar/?view=month&date={day}")
    screenshot(page, "admin-calendar-month-busy")

    more = page.locator(".cal-more a").first
    assert more.inner_text() == "+54 more"
    more.click()
    page.wait_for_url("**view=day**")
    assert page.locator(".cal-card").count() == 60

    page.goto(f"{live_server.url}/admin/booking/booking/calendar/?view=week&date={day}")
    screenshot(page, "admin-calendar-week-busy")
    assert page.locator(".cal-card").count() == 300
    assert does_not_fit(page) == []


def sign_in(page, live_server, user, password):
    user.set_password(password)
    user.save()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


def test_the_day_fits_a_phone(live_server, phone_page, bob, shop_a):
    day = next_working_day(shop_a, days_ahead=2)
    book(shop_a, day, "AM", source="ahs", name="Jane Smith", work_order_number="WO-7781")
    book(shop_a, day, "PM", source="frontdoor", name="Raj Patel", appliance="Washer")
    page = phone_page
    sign_in(page, live_server, bob, "dispatch-pass-123")

    page.goto(f"{live_server.url}/admin/booking/booking/calendar/?view=day&date={day}")
    screenshot(page, "admin-calendar-day-phone")

    assert page.locator(".cal-card").count() == 2
    assert does_not_fit(page) == []


def test_an_owner_moves_a_booking_on_the_calendar(live_server, desktop_page, alice, shop_a):
    day = next_working_day(shop_a, days_ahead=2)
    book(shop_a, day, "09:00", name="Jane Smith")
    book(shop_a, day, "10:00", name="Full One")
    book(shop_a, day, "10:00", name="Full Two")
    page = desktop_page
    sign_in(page, live_server, alice, "owner-pass-12345")
    week = f"{live_server.url}/admin/booking/booking/calendar/?view=week&date={day}"
    page.goto(week)

    page.locator(".cal-card", has_text="Jane Smith").locator("a", has_text="Move").click()
    page.locator("select[name=time]").select_option(label="10 AM")
    page.locator("button", has_text="Move").click()
    page.wait_for_url(week)
    screenshot(page, "admin-calendar-move-refused")
    assert "is full" in page.locator(".messagelist").inner_text()

    page.locator(".cal-card", has_text="Jane Smith").locator("a", has_text="Move").click()
    page.locator("select[name=time]").select_option(label="10 AM")
    page.locator("input[name=overbook]").check()
    page.locator("button", has_text="Move").click()
    page.wait_for_url(week)
    screenshot(page, "admin-calendar-overbooked")
    assert "(overbooked)" in page.locator(".messagelist").inner_text()
    page.goto(f"{live_server.url}/admin/booking/booking/calendar/?view=month&date={day}")
    screenshot(page, "admin-calendar-month")
    assert page.locator(".cal-month-list li").count() == 3
    page.goto(f"{live_server.url}/admin/booking/booking/")
    screenshot(page, "admin-bookings-list")
    page.click("text=Jane Smith")
    screenshot(page, "admin-booking-page")
    assert page.locator("h2", has_text="Partner references").count() == 1
    page.goto(f"{live_server.url}/admin/tenants/bookingsettings/")
    screenshot(page, "admin-online-booking-settings")


def test_the_demo_week_and_list_read_well_on_a_desktop(
    live_server, desktop_page, django_user_model
):
    call_command("seed_demo", stdout=StringIO())
    first = Booking.objects.order_by("scheduled_date").first().scheduled_date
    monday = first - dt.timedelta(days=first.weekday())
    in_week = Booking.objects.filter(
        scheduled_date__range=(monday, monday + dt.timedelta(days=6))
    ).count()
    page = desktop_page
    sign_in(
        page,
        live_server,
        django_user_model.objects.get(username="dispatcher"),
        "demo-dispatch-pass",
    )
    screenshot(page, "admin-index-demo")

    page.goto(f"{live_server.url}/admin/booking/booking/calendar/?view=week&date={first}")
    screenshot(page, "admin-calendar-week-demo")

    assert page.locator(".cal-card").count() == in_week
    legend = page.locator(".cal-legend").inner_text()
    for source in ["ahs", "cinch", "angi", "web", "demo-warranty"]:
        assert source in legend
    assert page.locator(".cal-card tt").count() > 0
    assert does_not_fit(page) == [], "the week fits a laptop screen"

    page.goto(f"{live_server.url}/admin/booking/booking/")
    screenshot(page, "admin-bookings-list-demo")
    assert page.locator("#result_list tbody tr").count() == Booking.objects.count()
    hidden = page.evaluate(
        "(() => { const r = document.querySelector('#changelist .results');"
        " return r.scrollWidth - r.clientWidth; })()"
    )
    assert hidden <= 0, "status and channel are in view without scrolling the list"


def test_the_bookings_list_drops_to_the_columns_that_matter_on_a_phone(
    live_server, phone_page, django_user_model
):
    call_command("seed_demo", stdout=StringIO())
    page = phone_page
    sign_in(
        page,
        live_server,
        django_user_model.objects.get(username="dispatcher"),
        "demo-dispatch-pass",
    )

    page.goto(f"{live_server.url}/admin/booking/booking/")
    screenshot(page, "admin-bookings-list-phone")

    header = page.locator("#result_list thead").inner_text()
    for column in ["WHEN", "CUSTOMER", "PHONE", "STATUS"]:
        assert column in header.upper()
    assert "CHANNEL" not in header.upper() and "ADDRESS" not in header.upper()
    first = page.locator("#result_list tbody tr").first
    assert first.locator("td.field-phone_number a[href^='tel:']").is_visible()
    hidden = page.evaluate(
        "(() => { const r = document.querySelector('#changelist .results');"
        " return r.scrollWidth - r.clientWidth; })()"
    )
    assert hidden <= 0, "the list fits a phone without scrolling sideways"
    assert does_not_fit(page) == []


def test_a_dispatcher_takes_a_booking_by_phone(live_server, desktop_page, bob, shop_a):
    day = next_working_day(shop_a, days_ahead=2)
    book(shop_a, day, "10:00", name="Full One")
    book(shop_a, day, "10:00", name="Full Two")
    earlier = next_working_day(shop_a, days_ahead=1)
    book(shop_a, earlier, "09:00", name="Jane Smith", phone="+16615550142", appliance="Washer")
    page = desktop_page
    sign_in(page, live_server, bob, "dispatch-pass-123")

    page.goto(f"{live_server.url}/admin/booking/booking/add/")
    page.fill("#id_customer_name", "Jane Smith")
    page.fill("#id_phone", "(661) 555-0142")
    page.locator("#earlier-bookings", has_text="Earlier bookings for (661) 555-0142").wait_for()
    assert "Washer" in page.locator("#earlier-bookings").inner_text()
    page.fill("#id_address", "1820 W Avenue J, Lancaster CA 93534")
    page.select_option("#id_appliance_type", "Dryer")
    page.fill("#id_scheduled_date", day.isoformat())
    page.locator("#id_time_slot option", has_text="10:00 AM · full").wait_for(state="attached")
    screenshot(page, "admin-add-booking-by-phone")
    assert "seats left that day" in page.locator("#id_time_slot_helptext").inner_text()
    page.select_option("#id_time_slot", "11:00")
    page.click("input[name=_save]")
    page.wait_for_url("**/admin/booking/booking/")

    booking = Booking.objects.get(customer_name="Jane Smith", appliance_type="Dryer")
    assert (booking.scheduled_date, booking.scheduled_time) == (day, dt.time(11))
