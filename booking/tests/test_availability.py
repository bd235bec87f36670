from __future__ import annotations

import datetime as dt

from booking.availability import FULL, TOO_SOON, shop_availability, start_seats
from booking.models import SeatCounter
from booking.tests.factories import BookingFactory
from booking.tests.helpers import fill_starts
from tenants.models import BlackoutDate

# Tuesday 1 December 2026, 13:00 at the shop (Los Angeles).
NOW_DAY = dt.date(2026, 12, 1)


def now_at(shop, hour=13):
    return dt.datetime.combine(NOW_DAY, dt.time(hour), tzinfo=shop.tz)


def test_an_empty_working_day_has_room_in_both_windows(shop_a):
    (day,) = shop_availability(
        shop_a, dt.date(2026, 12, 2), dt.date(2026, 12, 2), now=now_at(shop_a)
    )

    assert day.is_open and day.am and day.pm
    assert day.am and day.pm


def test_it_gives_the_reason_a_day_is_closed(shop_a):
    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=dt.date(2026, 12, 3))
    fill_starts(shop_a, dt.date(2026, 12, 4), range(8, 17))

    days = shop_availability(
        shop_a, dt.date(2026, 11, 30), dt.date(2026, 12, 6), now=now_at(shop_a, hour=15)
    )

    reasons = {day.date.day: day.closed_reason for day in days}
    assert reasons == {
        30: "past",
        1: TOO_SOON,  # 15:00 + two hours' notice is after the last start (16:00)
        2: "",
        3: "blackout",
        4: FULL,
        5: "non_working_day",
        6: "non_working_day",
    }


def test_a_full_morning_leaves_the_afternoon_open(shop_a):
    fill_starts(shop_a, dt.date(2026, 12, 2), range(8, 12))

    (day,) = shop_availability(
        shop_a, dt.date(2026, 12, 2), dt.date(2026, 12, 2), now=now_at(shop_a)
    )

    assert day.is_open
    assert (day.am, day.pm) == (False, True)


def test_one_free_seat_is_room(shop_a):
    fill_starts(shop_a, dt.date(2026, 12, 2), range(8, 17))
    SeatCounter.objects.filter(start_time=dt.time(10)).update(booked=1)

    (day,) = shop_availability(
        shop_a, dt.date(2026, 12, 2), dt.date(2026, 12, 2), now=now_at(shop_a)
    )

    assert (day.is_open, day.am, day.pm) == (True, True, False)


def test_today_counts_only_starts_past_the_notice(shop_a):
    # At 13:00 with two hours' notice only 15:00 and 16:00 are left; fill them.
    fill_starts(shop_a, NOW_DAY, [15, 16])

    (day,) = shop_availability(shop_a, NOW_DAY, NOW_DAY, now=now_at(shop_a))

    assert day.closed_reason == FULL


def test_another_shops_seats_do_not_count(shop_a, shop_b):
    fill_starts(shop_b, dt.date(2026, 12, 2), range(8, 17))

    (day,) = shop_availability(
        shop_a, dt.date(2026, 12, 2), dt.date(2026, 12, 2), now=now_at(shop_a)
    )

    assert day.is_open and day.am and day.pm


def test_it_costs_four_queries_however_many_bookings(shop_a, django_assert_num_queries):
    for hour in range(8, 17):
        for _ in range(2):
            BookingFactory(
                shop=shop_a, scheduled_date=dt.date(2026, 12, 2), scheduled_time=dt.time(hour)
            )
    fill_starts(shop_a, dt.date(2026, 12, 2), range(8, 17))
    shop = type(shop_a).objects.get(pk=shop_a.pk)

    # Settings, blackout dates, active technicians (none: seats), seat counters.
    with django_assert_num_queries(4):
        days = shop_availability(shop, NOW_DAY, NOW_DAY + dt.timedelta(days=41), now=now_at(shop_a))

    assert len(days) == 42
    assert days[1].closed_reason == FULL


# --- start_seats: the same rules, start by start ------------------------------------------


def test_each_start_time_has_its_seats_left(shop_a):
    SeatCounter.objects.create(shop=shop_a, date=dt.date(2026, 12, 2), start_time=dt.time(9))
    SeatCounter.objects.filter(start_time=dt.time(9)).update(booked=1)
    fill_starts(shop_a, dt.date(2026, 12, 2), [10])

    (day,) = start_seats(shop_a, dt.date(2026, 12, 2), dt.date(2026, 12, 2), now=now_at(shop_a))

    left = {seat.start.hour: seat.seats_left for seat in day.starts}
    assert left == {8: 2, 9: 1, 10: 0, 11: 2, 12: 2, 13: 2, 14: 2, 15: 2, 16: 2}
    assert dt.time(10) not in day.open_starts and dt.time(9) in day.open_starts
    assert (day.seats_left("am"), day.seats_left("pm"), day.seats_left()) == (5, 10, 15)


def test_an_overbooked_start_has_no_seats_rather_than_a_negative_count(shop_a):
    fill_starts(shop_a, dt.date(2026, 12, 2), [8], booked=3)

    (day,) = start_seats(shop_a, dt.date(2026, 12, 2), dt.date(2026, 12, 2), now=now_at(shop_a))

    assert day.starts[0].seats_left == 0


def test_start_seats_leaves_out_starts_inside_the_notice_and_closed_days(shop_a):
    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=dt.date(2026, 12, 2))

    today, blackout = start_seats(shop_a, NOW_DAY, dt.date(2026, 12, 2), now=now_at(shop_a))

    assert [seat.start.hour for seat in today.starts] == [15, 16]
    assert (blackout.closed_reason, blackout.starts) == ("blackout", ())


def test_start_seats_and_the_day_summary_agree(shop_a):
    fill_starts(shop_a, dt.date(2026, 12, 2), range(8, 12))
    fill_starts(shop_a, dt.date(2026, 12, 3), range(8, 17))
    first, last = NOW_DAY, NOW_DAY + dt.timedelta(days=13)

    summary = shop_availability(shop_a, first, last, now=now_at(shop_a))
    detail = start_seats(shop_a, first, last, now=now_at(shop_a))

    assert [(d.date, d.closed_reason, d.am, d.pm) for d in summary] == [
        (d.date, d.closed_reason, d.seats_left("am") > 0, d.seats_left("pm") > 0) for d in detail
    ]


def test_start_seats_costs_four_queries_however_many_days(shop_a, django_assert_num_queries):
    fill_starts(shop_a, dt.date(2026, 12, 2), range(8, 17))
    shop = type(shop_a).objects.get(pk=shop_a.pk)

    with django_assert_num_queries(4):
        days = start_seats(shop, NOW_DAY, NOW_DAY + dt.timedelta(days=59), now=now_at(shop_a))

    assert len(days) == 60
    assert days[1].closed_reason == FULL and len(days[1].starts) == 9


def test_the_last_day_of_the_calendar_is_answered_like_any_far_day(shop_a):
    # Stepping a day past 9999-12-31 overflows; the days are counted instead.
    (day,) = shop_availability(shop_a, dt.date.max, dt.date.max, now=now_at(shop_a))

    assert day.date == dt.date.max
    assert not day.is_open
