from __future__ import annotations

import datetime as dt

from booking.availability import FULL, GONE_BY_NOTICE, shop_availability
from booking.models import SlotCounter
from booking.tests.factories import BookingFactory
from tenants.models import BlackoutDate

# Tuesday 1 December 2026, 13:00 at the shop (Los Angeles).
NOW_DAY = dt.date(2026, 12, 1)


def now_at(shop, hour=13):
    return dt.datetime.combine(NOW_DAY, dt.time(hour), tzinfo=shop.tz)


def seats(shop, day, hours, booked=2):
    SlotCounter.objects.bulk_create(
        SlotCounter(shop=shop, date=day, start_time=dt.time(hour), booked=booked) for hour in hours
    )


def test_an_empty_working_day_has_room_in_both_windows(shop_a):
    (day,) = shop_availability(
        shop_a, dt.date(2026, 12, 2), dt.date(2026, 12, 2), now=now_at(shop_a)
    )

    assert day.is_open and day.am and day.pm
    assert day.has_room("am") and day.has_room("pm") and day.has_room("")


def test_it_gives_the_reason_a_day_is_closed(shop_a):
    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=dt.date(2026, 12, 3))
    seats(shop_a, dt.date(2026, 12, 4), range(8, 17))

    days = shop_availability(
        shop_a, dt.date(2026, 11, 30), dt.date(2026, 12, 6), now=now_at(shop_a, hour=15)
    )

    reasons = {day.date.day: day.closed_reason for day in days}
    assert reasons == {
        30: "past",
        1: GONE_BY_NOTICE,  # 15:00 + two hours' notice is after the last start (16:00)
        2: "",
        3: "blackout",
        4: FULL,
        5: "non_working",
        6: "non_working",
    }


def test_a_full_morning_leaves_the_afternoon_open(shop_a):
    seats(shop_a, dt.date(2026, 12, 2), range(8, 12))

    (day,) = shop_availability(
        shop_a, dt.date(2026, 12, 2), dt.date(2026, 12, 2), now=now_at(shop_a)
    )

    assert day.is_open
    assert (day.am, day.pm) == (False, True)


def test_one_free_seat_is_room(shop_a):
    seats(shop_a, dt.date(2026, 12, 2), range(8, 17))
    SlotCounter.objects.filter(start_time=dt.time(10)).update(booked=1)

    (day,) = shop_availability(
        shop_a, dt.date(2026, 12, 2), dt.date(2026, 12, 2), now=now_at(shop_a)
    )

    assert (day.is_open, day.am, day.pm) == (True, True, False)


def test_today_counts_only_starts_past_the_notice(shop_a):
    # At 13:00 with two hours' notice only 15:00 and 16:00 are left; fill them.
    seats(shop_a, NOW_DAY, [15, 16])

    (day,) = shop_availability(shop_a, NOW_DAY, NOW_DAY, now=now_at(shop_a))

    assert day.closed_reason == FULL


def test_another_shops_seats_do_not_count(shop_a, shop_b):
    seats(shop_b, dt.date(2026, 12, 2), range(8, 17))

    (day,) = shop_availability(
        shop_a, dt.date(2026, 12, 2), dt.date(2026, 12, 2), now=now_at(shop_a)
    )

    assert day.is_open and day.am and day.pm


def test_it_costs_three_queries_however_many_bookings(shop_a, django_assert_num_queries):
    for hour in range(8, 17):
        for _ in range(2):
            BookingFactory(
                shop=shop_a, scheduled_date=dt.date(2026, 12, 2), scheduled_time=dt.time(hour)
            )
    seats(shop_a, dt.date(2026, 12, 2), range(8, 17))
    shop = type(shop_a).objects.get(pk=shop_a.pk)

    with django_assert_num_queries(3):
        days = shop_availability(shop, NOW_DAY, NOW_DAY + dt.timedelta(days=41), now=now_at(shop_a))

    assert len(days) == 42
    assert days[1].closed_reason == FULL
