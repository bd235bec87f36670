"""booking.availability.start_seats as the partner portal reads it: seats per start and window."""

from __future__ import annotations

import datetime as dt

from booking.availability import FULL, TOO_SOON, shop_availability, start_seats
from booking.models import SeatCounter
from tenants.models import BlackoutDate

# Tuesday 1 December 2026 at the shop (Los Angeles); the shop takes two jobs per start.
NOW_DAY = dt.date(2026, 12, 1)
WEDNESDAY = dt.date(2026, 12, 2)


def now_at(shop, hour=13):
    return dt.datetime.combine(NOW_DAY, dt.time(hour), tzinfo=shop.tz)


def test_each_start_shows_the_seats_it_has_left(shop_a):
    SeatCounter.objects.create(shop=shop_a, date=WEDNESDAY, start_time=dt.time(8), booked=2)
    SeatCounter.objects.create(shop=shop_a, date=WEDNESDAY, start_time=dt.time(13), booked=1)

    (day,) = start_seats(shop_a, WEDNESDAY, WEDNESDAY, now=now_at(shop_a))

    left = {start.start.hour: start.seats_left for start in day.starts}
    assert left == {8: 0, 9: 2, 10: 2, 11: 2, 12: 2, 13: 1, 14: 2, 15: 2, 16: 2}
    assert (day.am_left, day.pm_left) == (6, 9)
    assert day.is_open


def test_today_offers_only_the_starts_past_the_notice(shop_a):
    (day,) = start_seats(shop_a, NOW_DAY, NOW_DAY, now=now_at(shop_a))

    # 13:00 plus two hours' notice.
    assert [start.start.hour for start in day.starts] == [15, 16]
    assert day.am_left == 0


def test_its_verdict_on_each_day_is_the_public_pages(shop_a):
    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=dt.date(2026, 12, 3))
    SeatCounter.objects.bulk_create(
        SeatCounter(shop=shop_a, date=dt.date(2026, 12, 4), start_time=dt.time(hour), booked=2)
        for hour in range(8, 17)
    )
    first, last, now = dt.date(2026, 11, 30), dt.date(2026, 12, 6), now_at(shop_a, hour=15)

    days = start_seats(shop_a, first, last, now=now)

    summary = shop_availability(shop_a, first, last, now=now)
    assert [day.closed_reason for day in days] == [day.closed_reason for day in summary]
    reasons = {day.date.day: day.closed_reason for day in days}
    assert reasons[1] == TOO_SOON and reasons[4] == FULL and reasons[3] == "blackout"
    assert [day.starts for day in days if day.date.day in (3, 5, 6)] == [(), (), ()]


def test_another_shops_seats_do_not_count(shop_a, shop_b):
    SeatCounter.objects.create(shop=shop_b, date=WEDNESDAY, start_time=dt.time(8), booked=2)

    (day,) = start_seats(shop_a, WEDNESDAY, WEDNESDAY, now=now_at(shop_a))

    assert day.starts[0].seats_left == 2


def test_it_costs_four_queries_for_two_weeks(shop_a, django_assert_num_queries):
    SeatCounter.objects.bulk_create(
        SeatCounter(shop=shop_a, date=WEDNESDAY, start_time=dt.time(hour), booked=1)
        for hour in range(8, 17)
    )
    shop = type(shop_a).objects.get(pk=shop_a.pk)

    # Settings, blackout dates, active technicians (none: seats), seat counters.
    with django_assert_num_queries(4):
        days = start_seats(shop, NOW_DAY, NOW_DAY + dt.timedelta(days=13), now=now_at(shop_a))

    assert len(days) == 14
    assert days[1].am_left == 4
