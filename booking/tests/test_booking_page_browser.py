"""A customer books a repair at a phone-sized viewport, with JavaScript and without."""

from __future__ import annotations

import datetime as dt
import pathlib

import icalendar
import pytest

from applianceops.tests.helpers import does_not_fit, screenshot
from booking.models import Booking
from booking.tests.helpers import fill_starts, next_working_day
from technicians.tests.helpers import hire

pytestmark = pytest.mark.browser

WIDTHS = {"phone": 360, "laptop": 1280}


@pytest.fixture
def no_js_phone_page(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 780}, is_mobile=True, java_script_enabled=False
    )
    yield context.new_page()
    context.close()


def _sized_page(browser, size: str, *, javascript: bool):
    width = WIDTHS[size]
    context = browser.new_context(
        viewport={"width": width, "height": 800},
        is_mobile=width < 600,
        has_touch=width < 600,
        java_script_enabled=javascript,
    )
    page = context.new_page()
    page.size = size
    return context, page


@pytest.fixture(params=WIDTHS)
def sized_page(request, browser):
    """A page at a phone's 360 px and at a laptop's 1280 px, with JavaScript on."""
    context, page = _sized_page(browser, request.param, javascript=True)
    yield page
    context.close()


@pytest.fixture(params=WIDTHS)
def sized_no_js_page(request, browser):
    """A page at a phone's 360 px and at a laptop's 1280 px, with JavaScript off."""
    context, page = _sized_page(browser, request.param, javascript=False)
    yield page
    context.close()


def test_each_month_shows_its_own_days_up_to_the_shops_horizon(
    live_server, transactional_db, shop_a, sized_page, freeze_now
):
    # Friday 27 November 2026; the shop books 60 days ahead, to Tuesday 26 January 2027.
    freeze_now(dt.datetime(2026, 11, 27, 9, 0, tzinfo=shop_a.tz))
    page = sized_page
    page.goto(f"{live_server.url}/book/{shop_a.slug}")

    months = page.locator(".month")
    assert months.locator(".month-name").all_inner_texts() == [
        "November 2026",
        "December 2026",
        "January 2027",
    ]
    december = months.nth(1)
    december.scroll_into_view_if_needed()
    screenshot(page, f"booking-page-months-{page.size}")
    # The first week of December starts on Tuesday the 1st; Monday 30 November is November's.
    first_week = december.locator(".week").first.locator(".day")
    assert first_week.nth(0).get_attribute("class") == "day blank"
    assert first_week.nth(1).inner_text().startswith("1")
    assert first_week.nth(1).locator("input").get_attribute("value") == "2026-12-01"
    assert months.nth(0).locator(".day:not(.blank)").count() == 4

    # January, the third month, is folded away until tapped; its last days are bookable.
    january = months.nth(2)
    assert january.evaluate("month => month.tagName") == "DETAILS"
    assert not january.locator(".day").first.is_visible()
    january.locator("summary").click()
    last = january.locator("label:has(#id_scheduled_date_2027-01-26)")
    assert last.is_visible() and not last.locator("input").is_disabled()
    assert january.locator("#id_scheduled_date_2027-01-27").count() == 0
    last.click()
    screenshot(page, f"booking-page-last-day-{page.size}")
    assert does_not_fit(page) == []


def test_a_customer_books_with_javascript_by_tapping(
    live_server, transactional_db, shop_a, phone_page
):
    day = next_working_day(shop_a, days_ahead=3)
    fill_starts(shop_a, day, range(8, 12))
    page = phone_page
    page.goto(f"{live_server.url}/book/{shop_a.slug}?source=google")
    screenshot(page, "booking-page-js-empty")

    page.get_by_role("button", name="Book the repair").click()
    page.get_by_role("alert").wait_for()
    assert page.evaluate("document.activeElement.id") == "error-summary"
    screenshot(page, "booking-page-js-errors")

    page.get_by_label("Your name").fill("Jane Smith")
    page.get_by_label("Mobile phone").fill("555 123 4567")
    page.get_by_label("Service address").fill("123 Main St, Lancaster CA 93534")
    page.get_by_label("Appliance").select_option("Dishwasher")
    page.get_by_label("What's wrong? (optional)").fill("Leaves water at the bottom.")
    page.locator(f"label:has(#id_scheduled_date_{day.isoformat()})").click()
    # The script asked the server about the day: its morning is full.
    morning = page.get_by_role("radio", name="Morning", exact=False).and_(
        page.locator("[name=time_slot]")
    )
    page.wait_for_function("document.querySelector('input[name=time_slot][value=am]').disabled")
    assert morning.is_disabled()
    assert page.locator(".room-note[data-window=pm]").inner_text() == "Room left on that day."
    page.get_by_role("radio", name="Afternoon", exact=False).and_(
        page.locator("[name=time_slot]")
    ).check()
    screenshot(page, "booking-page-js-filled")
    page.get_by_role("button", name="Book the repair").click()

    page.get_by_role("heading", name="You're booked").wait_for()
    screenshot(page, "booking-confirmation-js")
    assert "arriving between 12 PM and 5 PM" in page.locator(".confirmed").inner_text()
    booking = Booking.objects.get()
    assert booking.source == "google"
    assert (booking.scheduled_date, booking.scheduled_time) == (day, dt.time(12, 0))
    assert booking.reference in page.locator(".reference").inner_text()
    with page.expect_download() as download:
        page.get_by_role("link", name="Add to calendar").click()
    assert download.value.suggested_filename == f"repair-{booking.reference}.ics"
    # The calendar blocks the afternoon window she was promised, not an hour from 12:00.
    [event] = icalendar.Calendar.from_ical(pathlib.Path(download.value.path()).read_bytes()).walk(
        "VEVENT"
    )
    assert event.decoded("DTEND") - event.decoded("DTSTART") == dt.timedelta(hours=5)


def test_a_customer_books_without_javascript_using_only_the_keyboard(
    live_server, transactional_db, shop_a, no_js_phone_page
):
    page = no_js_phone_page
    day = next_working_day(shop_a, days_ahead=3)
    page.goto(f"{live_server.url}/book/{shop_a.slug}")

    for _ in range(30):
        if page.evaluate("document.activeElement.id") == "id_name":
            break
        page.keyboard.press("Tab")
    page.keyboard.type("Jane Smith")
    page.keyboard.press("Tab")
    page.keyboard.type("(555) 123-4567")
    page.keyboard.press("Tab")
    page.keyboard.type("jane@example")  # a mistake, to see the error page
    page.keyboard.press("Tab")
    page.keyboard.type("123 Main St, Lancaster CA 93534")
    page.keyboard.press("Tab")
    page.keyboard.type("Refrig")
    page.keyboard.press("Tab")
    page.keyboard.type("Not cooling.")
    page.keyboard.press("Tab")
    # Arrow keys move through the open days only; closed days are skipped.
    for _ in range(60):
        if page.evaluate("document.activeElement.value") == day.isoformat():
            break
        page.keyboard.press("ArrowRight")
    page.keyboard.press("Space")
    for _ in range(5):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "time_slot":
            break
    page.keyboard.press("ArrowDown")  # First available -> Morning
    page.keyboard.press("Enter")

    page.get_by_role("alert").wait_for()
    screenshot(page, "booking-page-nojs-errors")
    assert "Enter an e-mail address like jane@example.com" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Your name").input_value() == "Jane Smith"
    assert page.locator(f"#id_scheduled_date_{day.isoformat()}").is_checked()
    assert (
        page.get_by_role("radio", name="Morning", exact=False)
        .and_(page.locator("[name=time_slot]"))
        .is_checked()
    )

    page.get_by_role("link", name="Enter an e-mail address like jane@example.com").press("Enter")
    page.keyboard.press("Control+A")
    page.keyboard.type("jane@example.com")
    page.keyboard.press("Enter")

    page.get_by_role("heading", name="You're booked").wait_for()
    screenshot(page, "booking-confirmation-nojs")
    assert "arriving between 8 AM and 12 PM" in page.locator(".confirmed").inner_text()
    booking = Booking.objects.get()
    assert (booking.scheduled_date, booking.scheduled_time) == (day, dt.time(8, 0))
    assert booking.appliance_type == "Refrigerator"
    assert booking.email == "jane@example.com"
    assert booking.channel == Booking.Channel.BOOKING_PAGE

    # The confirmation leads to the customer's own page, where the visit can be moved or cancelled.
    page.get_by_role("link", name="Change or cancel").click()
    page.get_by_role("heading", name="Your repair visit").wait_for()
    assert booking.reference in page.locator(".ss-ref").inner_text()
    assert page.get_by_role("link", name="Cancel the visit").is_visible()


def test_the_page_and_its_dead_ends_read_well_on_a_desktop(
    live_server, transactional_db, shop_a, desktop_page
):
    page = desktop_page
    page.goto(f"{live_server.url}/book/{shop_a.slug}")
    weekdays = page.locator(".weekdays").first.locator("span")
    monday, sunday = weekdays.first, weekdays.last
    assert monday.bounding_box()["y"] == sunday.bounding_box()["y"]
    screenshot(page, "booking-page-desktop")

    assert page.goto(f"{live_server.url}/book/no-such-shop").status == 404
    page.get_by_role("heading", name="Page not found").wait_for()
    screenshot(page, "not-found-desktop")

    shop_a.booking_settings.booking_enabled = False
    shop_a.booking_settings.save()
    page.goto(f"{live_server.url}/book/{shop_a.slug}")
    page.get_by_role("heading", name="Online booking is paused").wait_for()
    screenshot(page, "booking-off-desktop")


def test_without_javascript_a_full_morning_is_named_and_the_afternoon_window_given(
    live_server, transactional_db, shop_a, sized_no_js_page
):
    day = next_working_day(shop_a, days_ahead=3)
    fill_starts(shop_a, day, range(8, 12))
    page = sized_no_js_page
    page.goto(f"{live_server.url}/book/{shop_a.slug}")
    page.get_by_label("Your name").fill("Jane Smith")
    page.get_by_label("Mobile phone").fill("555 123 4567")
    page.get_by_label("Service address").fill("123 Main St, Lancaster CA 93534")
    page.get_by_label("Appliance").select_option("Dishwasher")
    page.locator(f"label:has(#id_scheduled_date_{day.isoformat()})").click()
    # Nothing on the page can know which day was picked: the morning stays choosable.
    page.get_by_role("radio", name="Morning", exact=False).and_(
        page.locator("[name=time_slot]")
    ).check()
    page.get_by_role("button", name="Book the repair").click()

    page.get_by_role("heading", name="The morning was full").wait_for()
    screenshot(page, f"booking-confirmation-morning-full-nojs-{page.size}")
    notice = page.locator(".notice.moved").inner_text()
    assert f"On {day:%A, %B} {day.day} the morning was full when you booked" in notice
    assert "arriving between 12 PM and 5 PM" in notice
    assert "filled up just before" not in page.content()
    assert "arriving between 12 PM and 5 PM" in page.locator(".confirmed").inner_text()
    assert does_not_fit(page) == []
    booking = Booking.objects.get()
    assert booking.scheduled_time == dt.time(12, 0), "the shop books the exact start"


def test_the_windows_follow_who_can_fix_the_picked_appliance(
    live_server, transactional_db, shop_a, phone_page
):
    hire(shop_a, "Fridge Fran", skills=["Refrigerator"], hours=("08:00", "12:00"))
    hire(shop_a, "Dryer Dan", skills=["Dryer"], hours=("12:00", "17:00"))
    day = next_working_day(shop_a, days_ahead=3)
    page = phone_page
    page.goto(f"{live_server.url}/book/{shop_a.slug}")
    am, pm = (
        f"document.querySelector('input[name=time_slot][value={w}]').disabled" for w in ("am", "pm")
    )

    page.locator(f"label:has(#id_scheduled_date_{day.isoformat()})").click()
    page.get_by_label("Appliance").select_option("Dryer")
    page.wait_for_function(am)
    assert not page.evaluate(pm), "Dan fixes dryers in the afternoon"
    page.get_by_label("Appliance").select_option("Refrigerator")
    page.wait_for_function(f"!({am}) && {pm}")
    screenshot(page, "booking-page-js-appliance-windows")
    page.get_by_label("Appliance").select_option("Dishwasher")

    page.wait_for_function(f"{am} && {pm}")
    assert page.locator(".room-note[data-window=am]").inner_text() == "Full on that day."
    assert page.locator(f"#id_scheduled_date_{day.isoformat()}").is_enabled()
