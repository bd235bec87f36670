"""The dispatch board in a browser: a dispatcher's day of six technicians and thirty jobs at
1280 px, a card dragged to another technician and time, and the board on a 360 px phone."""

from __future__ import annotations

import datetime as dt

import pytest

from applianceops.tests.helpers import ARTIFACTS, does_not_fit, screenshot
from applianceops.tests.test_accessibility_browser import serious_findings
from booking.models import Booking
from booking.services import booking_assign, booking_update
from booking.tests.helpers import book, next_working_day
from technicians.services import Away
from technicians.tests.helpers import hire

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Dryer 60 minutes, Range 60, Microwave 45, Washer 90, Refrigerator 90: the shop's lengths.
FULL_DAY = [(8, "Refrigerator"), (10, "Washer"), (12, "Range"), (14, "Microwave"), (16, "Dryer")]


def busy_day(shop, day: dt.date) -> None:
    """Six technicians (one mornings only, one off 13-15) and thirty jobs, three unassigned."""
    crew = [hire(shop, name) for name in ("Ann Lee", "Ben Ortiz", "Cruz Diaz", "Dana Wu")]
    eli = hire(shop, "Eli Brooks", off=[Away(day, day, dt.time(13), dt.time(15), "dentist")])
    fay = hire(shop, "Fay Nolan", hours=("08:00", "12:00"))
    number = 0
    for technician in crew:
        for hour, appliance in FULL_DAY:
            number += 1
            job(shop, day, hour, appliance, number, technician)
    for hour, appliance in [(8, "Washer"), (10, "Range"), (12, "Dryer"), (15, "Dryer")]:
        number += 1
        job(shop, day, hour, appliance, number, eli)
    for hour in (8, 10):
        number += 1
        job(shop, day, hour, "Dryer", number, fay)
    for hour in (9, 9, 11):
        number += 1
        booking_assign(booking=job(shop, day, hour, "Dryer", number, None), technician=None)
    number += 1
    job(shop, day, 16, "Range", number, eli)
    for urgent in ("Customer 03 Lastname", "Customer 29 Lastname"):
        booking_update(booking=Booking.objects.get(customer_name=urgent), priority="urgent")
    assert Booking.objects.filter(shop=shop, scheduled_date=day).count() == 30


def job(shop, day, hour, appliance, number, technician) -> Booking:
    return book(
        shop,
        day,
        dt.time(hour),
        technician=technician,
        name=f"Customer {number:02d} Lastname",
        phone=f"+166155501{number:02d}",
        address=f"{100 + number} Cedar Avenue, Lancaster CA 93534",
        appliance=appliance,
        issue="Makes a loud grinding noise and stops halfway.",
        source=["ahs", "frontdoor", "angi", ""][number % 4],
        work_order_number=f"WO-{7700 + number}",
        **({"email": ""} if number % 2 else {}),
    )


def sign_in(page, live_server, user, password="dispatch-pass-123") -> None:
    user.set_password(password)
    user.save()
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", password)
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")


# Cards of one lane that overlap on screen, and lanes wider than the board shows.
OVERLAPS = """() => {
  const clashes = [];
  for (const lane of document.querySelectorAll('.board-lane')) {
    const boxes = [...lane.querySelectorAll('.board-card')].map(c => c.getBoundingClientRect());
    boxes.forEach((a, i) => boxes.slice(i + 1).forEach(b => {
      const across = a.left < b.right - 1 && b.left < a.right - 1;
      if (across && a.top < b.bottom - 1 && b.top < a.bottom - 1)
        clashes.push(lane.getAttribute('aria-label'));
    }));
  }
  return clashes;
}"""


def lane(page, name):
    return page.locator(f".board-lane[aria-label='{name}']")


def test_a_dispatcher_reads_a_busy_day_and_drags_a_job_to_another_technician(
    live_server, desktop_page, bob, shop_a
):
    day = next_working_day(shop_a, days_ahead=2)
    busy_day(shop_a, day)
    page = desktop_page
    sign_in(page, live_server, bob)

    page.goto(f"{live_server.url}/admin/booking/booking/calendar/?view=day&date={day}")
    screenshot(page, "admin-board-dispatcher-1280")

    assert page.locator(".board-lane").count() == 7
    assert page.locator(".board-card").count() == 30
    assert page.evaluate(OVERLAPS) == []
    assert page.locator(".board-priority").count() == 2
    assert serious_findings(page) == []
    # Every lane fits the laptop's width: nothing to scroll sideways.
    assert page.evaluate(
        "() => { const s = document.querySelector('.board-scroll');"
        " return s.scrollWidth <= s.clientWidth; }"
    )
    assert "Time off 1 PM-3 PM: dentist" in lane(page, "Eli Brooks").inner_text()
    assert lane(page, "Fay Nolan").locator(".board-shade").inner_text() == "Off shift from 12 PM"

    # An unassigned 9:00 job dropped on Fay's lane at 11:00 (three hours down the board).
    card = lane(page, "Unassigned").locator(".board-card").first
    moved_name = card.locator(".board-card-customer").inner_text()
    assert card.locator("time").inner_text() == "9:00 AM–10:00 AM"
    card.hover(position={"x": 20, "y": 6})
    page.mouse.down()
    fay = lane(page, "Fay Nolan").locator(".board-lane-body")
    fay.hover(position={"x": 40, "y": 3 * 120 + 5})
    fay.hover(position={"x": 40, "y": 3 * 120 + 6})  # Chromium's dragover comes with a move
    # While dragged, the line under the card names the start as the cards do.
    assert page.locator(".board-drop-line span").inner_text() == "11:00 AM"
    page.mouse.up()
    page.wait_for_load_state()
    screenshot(page, "admin-board-after-drag")

    assert f"{moved_name}: " in page.locator(".messagelist").inner_text()
    assert moved_name in lane(page, "Fay Nolan").inner_text()
    moved = Booking.objects.get(customer_name=moved_name)
    assert (moved.technician.name, moved.scheduled_time) == ("Fay Nolan", dt.time(11))

    # Dropped at noon, when Fay's shift ends: the card's own form comes back with the reason.
    card = lane(page, "Unassigned").locator(".board-card").first
    card.drag_to(
        lane(page, "Fay Nolan").locator(".board-lane-body"),
        source_position={"x": 20, "y": 6},
        target_position={"x": 40, "y": 4 * 120 + 6},
    )
    page.wait_for_load_state()
    screenshot(page, "admin-board-drag-refused")

    assert (
        "Fay Nolan is not on shift from 12:00 to 13:00" in page.locator(".errornote").inner_text()
    )


def test_the_board_reads_on_a_phone(live_server, phone_page, bob, shop_a):
    day = next_working_day(shop_a, days_ahead=2)
    busy_day(shop_a, day)
    page = phone_page
    sign_in(page, live_server, bob)

    page.goto(f"{live_server.url}/admin/booking/booking/calendar/?view=day&date={day}")
    screenshot(page, "admin-board-phone-360")

    assert page.locator(".board-reassign").count() == 30
    assert does_not_fit(page, ".board-reassign") == [], "every card's Reassign is a thumb's tap"
    first, second = (lane(page, n).bounding_box() for n in ("Ann Lee", "Ben Ortiz"))
    assert second["y"] >= first["y"] + first["height"]  # lanes one under another
    assert page.evaluate(OVERLAPS) == []
    assert serious_findings(page) == []
    # What the phone's screen shows: a lane's head, its time off in words, its first jobs.
    lane(page, "Eli Brooks").evaluate("lane => lane.scrollIntoView()")
    page.screenshot(path=str(ARTIFACTS / "admin-board-phone-360-screen.png"))
