"""GET /api/booking/availability: what a partner may book, before it books."""

from __future__ import annotations

import datetime as dt

import pytest

from booking.tests.helpers import (
    MONDAY,
    TUESDAY,
    WEDNESDAY,
    at_shop,
    bearer,
    contract_body,
    fill_starts,
    post_booking,
)
from tenants.models import BlackoutDate

URL = "/api/booking/availability"
STARTS = ["08:00", "09:00", "10:00", "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]


def availability(api_client, shop, **query):
    return api_client.get(URL, {"slug": shop.slug, **query})


def test_it_answers_each_day_with_its_windows_and_start_times(api_client, shop_a, monday_morning):
    fill_starts(shop_a, TUESDAY, [9], booked=1)

    response = availability(api_client, shop_a, date=TUESDAY.isoformat(), days=1)

    assert response.status_code == 200
    data = response.json()
    assert data == {
        "slug": "done-right-appliance",
        "time_zone": "America/Los_Angeles",
        "next_available_date": TUESDAY.isoformat(),
        "days": [
            {
                "date": TUESDAY.isoformat(),
                "open": True,
                "reason": None,
                "windows": {"am": {"seats_left": 7}, "pm": {"seats_left": 10}},
                "start_times": [
                    {
                        "time": start,
                        "window": "am" if start < "12:00" else "pm",
                        "seats_left": 1 if start == "09:00" else 2,
                    }
                    for start in STARTS
                ],
            }
        ],
    }


def test_a_week_from_the_shops_today_by_default(api_client, shop_a, monday_morning):
    days = availability(api_client, shop_a).json()["days"]

    assert [day["date"] for day in days] == [
        (MONDAY + dt.timedelta(days=n)).isoformat() for n in range(7)
    ]


def test_every_closed_day_says_why(api_client, shop_a, freeze_now):
    freeze_now(at_shop(shop_a, MONDAY, 15))
    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=WEDNESDAY)
    fill_starts(shop_a, TUESDAY)
    shop_a.booking_settings.horizon_days = 4
    shop_a.booking_settings.save()

    days = availability(api_client, shop_a, date="2026-12-06", days=7).json()["days"]

    assert {day["date"][-2:]: (day["open"], day["reason"]) for day in days} == {
        "06": (False, "past"),
        "07": (False, "too_soon"),  # 15:00 + two hours' notice is after the last start
        "08": (False, "full"),
        "09": (False, "blackout"),
        "10": (True, None),
        "11": (True, None),
        "12": (False, "beyond_horizon"),  # also a Saturday: the horizon speaks first
    }
    full = days[2]
    assert full["start_times"] and all(s["seats_left"] == 0 for s in full["start_times"])
    assert full["windows"] == {"am": {"seats_left": 0}, "pm": {"seats_left": 0}}


def test_a_weekend_is_a_non_working_day(api_client, shop_a, monday_morning):
    (saturday,) = availability(api_client, shop_a, date="2026-12-12", days=1).json()["days"]

    assert (saturday["open"], saturday["reason"], saturday["start_times"]) == (
        False,
        "non_working_day",
        [],
    )


def test_the_next_available_date_looks_past_the_days_asked_for(api_client, shop_a, monday_morning):
    fill_starts(shop_a, TUESDAY)
    fill_starts(shop_a, WEDNESDAY)

    data = availability(api_client, shop_a, date=TUESDAY.isoformat(), days=2).json()

    assert [day["reason"] for day in data["days"]] == ["full", "full"]
    assert data["next_available_date"] == "2026-12-10"


def test_no_next_available_date_within_the_horizon_is_null(api_client, shop_a, monday_morning):
    shop_a.booking_settings.horizon_days = 2
    shop_a.booking_settings.save()
    fill_starts(shop_a, MONDAY)
    fill_starts(shop_a, TUESDAY)
    fill_starts(shop_a, WEDNESDAY)

    data = availability(api_client, shop_a).json()

    assert data["next_available_date"] is None


def test_a_start_shown_with_seats_left_books_when_asked_for(api_client, shop_a, monday_morning):
    fill_starts(shop_a, TUESDAY, [8, 10, 13], booked=2)
    fill_starts(shop_a, TUESDAY, [9], booked=1)
    (day,) = availability(api_client, shop_a, date=TUESDAY.isoformat(), days=1).json()["days"]
    offered = [start["time"] for start in day["start_times"] if start["seats_left"]]

    booked = [
        post_booking(
            api_client,
            contract_body(shop_a, scheduled_date=TUESDAY.isoformat(), time_slot=time),
            key=None,
            REMOTE_ADDR=f"10.1.0.{n}",
        ).json()
        for n, time in enumerate(offered)
    ]

    assert offered == ["09:00", "11:00", "12:00", "14:00", "15:00", "16:00"]
    assert [data["scheduled_time"][:5] for data in booked] == offered
    assert not any(data["reassigned"] for data in booked)


@pytest.mark.parametrize(
    "query, field, code",
    [
        ({"slug": ""}, "slug", "missing_field"),
        ({"date": "12/08/2026"}, "date", "invalid_field"),
        ({"date": "2026-02-30"}, "date", "invalid_field"),
        ({"days": "0"}, "days", "invalid_field"),
        ({"days": "32"}, "days", "invalid_field"),
        ({"days": "a week"}, "days", "invalid_field"),
        ({"date": "9999-12-31", "days": "2"}, "date", "invalid_field"),
    ],
)
def test_a_bad_query_is_a_400_naming_the_parameter(api_client, shop_a, query, field, code):
    response = api_client.get(URL, {"slug": shop_a.slug, **query})

    assert response.status_code == 400
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_an_unknown_slug_is_a_404(api_client, db):
    response = api_client.get(URL, {"slug": "no-such-shop"})

    assert (response.status_code, response.json()["code"]) == (404, "not_found")


def test_a_shop_not_taking_online_bookings_says_so(api_client, shop_a):
    shop_a.booking_settings.booking_enabled = False
    shop_a.booking_settings.save()

    response = availability(api_client, shop_a)

    assert (response.status_code, response.json()["code"]) == (404, "booking_disabled")


def test_it_counts_against_the_public_request_limit(api_client, shop_a, settings):
    settings.PUBLIC_REQUESTS_PER_HOUR = 2

    statuses = [availability(api_client, shop_a).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_with_a_key_it_counts_against_the_accounts_limit(api_client, shop_a, account_a):
    response = api_client.get(URL, {"slug": shop_a.slug}, **bearer(account_a[1]))

    assert response.status_code == 200
    assert response["RateLimit-Limit"] == str(account_a[0].requests_per_hour)


def test_a_key_for_another_shop_is_refused(api_client, shop_a, account_b):
    response = api_client.get(URL, {"slug": shop_a.slug}, **bearer(account_b[1]))

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_a_full_date_refusal_names_the_next_available_date(api_client, shop_a, monday_morning):
    fill_starts(shop_a, TUESDAY)
    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=WEDNESDAY)

    response = post_booking(api_client, contract_body(shop_a, scheduled_date=TUESDAY.isoformat()))

    assert response.status_code == 400
    assert response.json() == {
        "error": "No availability on requested date",
        "code": "no_availability",
        "field": "scheduled_date",
        "next_available_date": "2026-12-10",
    }
