"""The dispatch board: the day view of a shop with technicians, a lane each and one for the
jobs nobody has, with their cards, off-shift hours and time off shaded."""

from __future__ import annotations

import datetime as dt
import re
from html import unescape

import pytest

from booking.models import Booking
from booking.services import booking_assign
from booking.tests.helpers import MONDAY, TUESDAY, book
from technicians.services import Away
from technicians.tests.helpers import hire
from tenants.models import BlackoutDate

URL = "/admin/booking/booking/calendar/"
pytestmark = pytest.mark.usefixtures("monday_morning")


@pytest.fixture
def crew(shop_a):
    """Ann (8-17, off Tuesday 13:00-15:00 at the dentist), Mike (8-12), Zoe (Mondays only)."""
    ann = hire(
        shop_a,
        "Ann Lee",
        off=[Away(TUESDAY, TUESDAY, dt.time(13), dt.time(15), "dentist")],
    )
    mike = hire(shop_a, "Mike Ross", hours=("08:00", "12:00"))
    zoe = hire(shop_a, "Zoe Park", weekdays=[0])
    return ann, mike, zoe


def unassigned(shop, time: str, **details) -> Booking:
    """A job of Tuesday that nobody has: booked, then taken off its technician."""
    booking = book(shop, TUESDAY, time, appliance="Dryer", **details)
    return booking_assign(booking=booking, technician=None)


def board_of(client, user, shop, day=TUESDAY, **query):
    client.force_login(user)
    response = client.get(URL, {"shop": shop.pk, "view": "day", "date": day.isoformat(), **query})
    assert response.status_code == 200
    return response


def test_the_day_is_a_lane_per_technician_on_shift_and_one_for_jobs_nobody_has(
    client, bob, shop_a, crew
):
    ann, mike, zoe = crew
    book(shop_a, TUESDAY, "09:00", name="On Ann", technician=ann, appliance="Dryer")
    book(shop_a, TUESDAY, "10:00", name="On Mike", technician=mike, appliance="Dryer")
    unassigned(shop_a, "11:00", name="Nobody's")

    board = board_of(client, bob, shop_a).context["board"]

    assert [lane.name for lane in board.lanes] == ["Ann Lee", "Mike Ross", "Unassigned"]
    assert {lane.name: [c.booking.customer_name for c in lane.cards] for lane in board.lanes} == {
        "Ann Lee": ["On Ann"],
        "Mike Ross": ["On Mike"],
        "Unassigned": ["Nobody's"],
    }
    assert board.off_today == ["Zoe Park"]
    # Time runs down from the first hour: 8:00 at the top, two pixels a minute.
    (card,) = board.lanes[0].cards
    assert (card.top, card.minutes) == (60, 60)
    assert "top: 120px; height: 120px" in card.style


def test_a_technician_with_a_job_off_their_shift_still_has_a_lane(client, alice, shop_a, crew):
    ann, mike, zoe = crew
    forced = book(shop_a, TUESDAY, "09:00", technician=zoe, allow_overbook=True, name="Forced")

    board = board_of(client, alice, shop_a).context["board"]

    zoes = next(lane for lane in board.lanes if lane.name == "Zoe Park")
    assert [card.booking for card in zoes.cards] == [forced]
    assert zoes.hours == "Not on shift"
    assert [shade.words for shade in zoes.shades] == ["Not on shift"]


def test_each_card_shows_what_the_technician_needs(client, bob, shop_a, crew):
    ann = crew[0]
    booking = book(
        shop_a,
        TUESDAY,
        "09:00",
        technician=ann,
        name="Jane Smith",
        address="123 Main St, Lancaster CA 93534",
        appliance="Washer",
        issue="Leaks from the door.",
        source="ahs",
        work_order_number="WO-7781",
    )
    Booking.objects.filter(pk=booking.pk).update(priority=Booking.Priority.URGENT)

    html = board_of(client, bob, shop_a).content.decode()

    assert "9:00 AM&ndash;10:30 AM" in html and "90 min" in html
    assert "Jane Smith" in html
    assert "https://www.google.com/maps/search/?api=1&amp;query=123+Main+St%2C+Lancaster" in html
    assert "Washer" in html and "Leaks from the door." in html
    assert ">ahs</span>" in html and "WO# WO-7781" in html
    assert '<span class="board-priority">Urgent</span>' in html
    assert f"/admin/booking/booking/calendar/{booking.pk}/reassign/?next=" in html


def test_a_card_tells_the_time_on_the_shops_12_hour_clock_as_the_calendar_does(
    client, bob, shop_a, crew
):
    ann = crew[0]
    book(shop_a, TUESDAY, "15:00", technician=ann, appliance="Dryer", name="Jane Smith")
    unassigned(shop_a, "11:00", name="Raj Patel")  # a 60-minute job ending at noon

    board = board_of(client, bob, shop_a).content.decode()
    month = client.get(URL, {"view": "month", "date": TUESDAY.isoformat()}).content.decode()

    assert "3:00 PM Jane Smith" in month
    assert "<time>3:00 PM&ndash;4:00 PM</time>" in board
    assert "<time>11:00 AM&ndash;12:00 PM</time>" in board


def test_off_shift_hours_and_time_off_are_shaded(client, bob, shop_a, crew):
    board = board_of(client, bob, shop_a).context["board"]

    ann, mike = board.lanes[0], board.lanes[1]
    # The board runs 8:00 to 17:00: Mike's afternoon and Ann's dentist are shaded.
    assert (board.first, board.minutes) == (dt.time(8), 9 * 60)
    assert [(s.top, s.minutes, s.words) for s in mike.shades] == [
        (240, 300, "Off shift from 12 PM")
    ]
    assert [(s.top, s.minutes, s.words) for s in ann.shades] == [
        (300, 120, "Time off 1 PM-3 PM: dentist")
    ]
    assert ann.hours == "On 8 AM-5 PM; Time off 1 PM-3 PM: dentist"
    html = board_of(client, bob, shop_a).content.decode()
    assert 'class="board-shade" style="top: 600px; height: 240px"' in html


def test_jobs_at_the_same_time_sit_side_by_side(client, bob, shop_a, crew):
    for name in ("First", "Second"):
        unassigned(shop_a, "09:00", name=name)
    unassigned(shop_a, "11:00", name="Later")

    board = board_of(client, bob, shop_a).context["board"]

    cards = {c.booking.customer_name: c for c in board.lanes[-1].cards}
    assert {(cards[n].column, cards[n].columns) for n in ("First", "Second")} == {(0, 2), (1, 2)}
    assert (cards["Later"].column, cards["Later"].columns) == (0, 1)
    # The lane is as wide as two, so neither card is squeezed.
    assert board.grid_columns == ("52px minmax(120px, 1fr) minmax(120px, 1fr) minmax(240px, 2fr)")


def test_a_shop_without_technicians_keeps_its_start_time_day_view(client, bob, shop_a):
    book(shop_a, TUESDAY, "09:00", name="Jane Smith")

    response = board_of(client, bob, shop_a)

    assert "admin/booking/booking/calendar.html" in [t.name for t in response.templates]
    assert "board" not in response.context


def test_the_week_names_each_jobs_technician(client, bob, shop_a, crew):
    book(shop_a, TUESDAY, "09:00", technician=crew[0], name="Jane Smith")
    client.force_login(bob)

    week = client.get(URL, {"view": "week", "date": MONDAY.isoformat()}).content.decode()
    month = client.get(URL, {"view": "month", "date": MONDAY.isoformat()}).content.decode()

    assert week.count('class="cal-tech"') == 1 and ">Ann Lee</span>" in week
    assert month.count('class="cal-tech"') == 1 and ">Ann Lee</span>" in month


def breadcrumbs(html: str) -> str:
    """The page's breadcrumbs as a reader sees them."""
    crumbs = re.search(r'<div class="breadcrumbs">(.*?)</div>', html, re.S).group(1)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", crumbs)).split())


@pytest.mark.parametrize(
    ("path", "crumb", "main", "stylesheet"),
    [
        (URL + "?view=day&date=2026-12-08", "Dispatch board", "cal board-main", "css/board.css"),
        (URL + "?view=week&date=2026-12-07", "Calendar", "cal", ""),
        ("/admin/booking/booking/sources/", "By source", "source-report", "css/source-report.css"),
    ],
)
def test_the_board_the_calendar_and_the_report_sit_under_the_bookings_list(
    client, bob, shop_a, crew, path, crumb, main, stylesheet
):
    client.force_login(bob)
    html = client.get(path).content.decode()

    assert breadcrumbs(html) == f"Home › Bookings › Bookings › {crumb}"
    assert '<a href="/admin/booking/booking/">Bookings</a>' in html
    assert f'<div id="content-main" class="{main}">' in html
    assert not stylesheet or f'<link rel="stylesheet" href="/static/{stylesheet}">' in html


def test_charlie_sees_nothing_of_shop_a_s_board(client, charlie, shop_a, crew):
    book(shop_a, TUESDAY, "09:00", technician=crew[0], name="Jane Smith")
    client.force_login(charlie)

    response = client.get(URL, {"shop": shop_a.pk, "view": "day", "date": TUESDAY.isoformat()})
    own = client.get(URL, {"view": "day", "date": TUESDAY.isoformat()})

    assert response.status_code == 404
    assert "Jane Smith" not in own.content.decode() and "Ann Lee" not in own.content.decode()


def test_the_board_s_queries_do_not_grow_with_its_jobs(
    client, bob, shop_a, crew, django_assert_max_num_queries
):
    ann, mike, zoe = crew
    for hour in (8, 9, 10, 11, 12, 15, 16):
        book(shop_a, TUESDAY, dt.time(hour), technician=ann, appliance="Dryer")
    for hour in (8, 9, 10, 11):
        book(shop_a, TUESDAY, dt.time(hour), technician=mike, appliance="Dryer")
    # Bookings from before job lengths: their length is the shop's for the appliance.
    Booking.objects.update(duration_minutes=None)
    client.force_login(bob)
    query = {"shop": shop_a.pk, "view": "day", "date": TUESDAY.isoformat()}
    client.get(URL, query)  # the session and the user, read once

    with django_assert_max_num_queries(16):
        response = client.get(URL, query)

    assert sum(len(lane.cards) for lane in response.context["board"].lanes) == 11


def test_a_job_late_in_the_evening_stretches_the_board_to_the_end_of_the_day(
    client, alice, shop_a, crew
):
    late = book(shop_a, TUESDAY, "09:00", technician=crew[0], appliance="Dryer", name="Late")
    Booking.objects.filter(pk=late.pk).update(scheduled_time=dt.time(23, 30))

    board = board_of(client, alice, shop_a).context["board"]

    assert (board.first, board.minutes) == (dt.time(8), 16 * 60)
    (card,) = board.lanes[0].cards
    assert (card.top, card.minutes, card.ends) == (15 * 60 + 30, 60, dt.time.max)


def test_a_blackout_day_says_so_above_the_board(client, bob, shop_a, crew):
    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=TUESDAY, reason="Holiday")

    tuesday = board_of(client, bob, shop_a).content.decode()
    monday = board_of(client, bob, shop_a, day=MONDAY).content.decode()

    assert "Blackout: Holiday. The shop takes no new jobs on Tuesday." in tuesday
    assert "board-closed" not in monday
