from __future__ import annotations

import datetime as dt
import logging
import time
from unittest import mock

import pytest

from booking import ratelimits
from booking.models import Booking
from booking.tests.helpers import BOOK_API as URL
from booking.tests.helpers import contract_body, form_data, next_working_day, page_url, post_booking


def weekend_body(shop):
    """A body the service refuses (no availability on a Saturday) after the quota is taken."""
    day = shop.today() + dt.timedelta(days=1)
    while day.weekday() != 5:
        day += dt.timedelta(days=1)
    return contract_body(shop, scheduled_date=day.isoformat())


def test_the_101st_request_in_an_hour_is_refused(api_client, shop_a):
    statuses = [api_client.post(URL, {"slug": shop_a.slug}, format="json").status_code]
    statuses += [api_client.post(URL, {}, format="json").status_code for _ in range(99)]

    refused = api_client.post(URL, contract_body(shop_a), format="json")

    assert statuses == [400] * 100
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert not Booking.objects.exists()


def test_the_sixth_successful_booking_is_refused_and_books_nothing(api_client, shop_a):
    statuses = [post_booking(api_client, contract_body(shop_a)).status_code for _ in range(5)]

    refused = post_booking(api_client, contract_body(shop_a))

    assert statuses == [201] * 5
    assert refused.status_code == 429
    assert Booking.objects.count() == 5


def test_failed_bookings_do_not_use_the_booking_quota(api_client, shop_a):
    failures = [
        api_client.post(URL, weekend_body(shop_a), format="json").status_code for _ in range(4)
    ]

    successes = [post_booking(api_client, contract_body(shop_a)).status_code for _ in range(5)]

    assert failures == [400] * 4
    assert successes == [201] * 5
    assert post_booking(api_client, contract_body(shop_a)).status_code == 429


def test_the_booking_quota_comes_back_after_the_window(api_client, shop_a):
    for _ in range(5):
        assert post_booking(api_client, contract_body(shop_a)).status_code == 201
    assert post_booking(api_client, contract_body(shop_a)).status_code == 429

    later = time.time() + 3601
    with mock.patch("booking.ratelimits.time.time", return_value=later):
        assert post_booking(api_client, contract_body(shop_a)).status_code == 201


def test_a_429_says_when_to_retry_and_points_to_partner_keys(api_client, shop_a):
    for _ in range(5):
        post_booking(api_client, contract_body(shop_a))

    refused = post_booking(api_client, contract_body(shop_a))

    body = refused.json()
    retry_after = int(refused.headers["Retry-After"])
    assert 1 <= retry_after <= 3600
    minutes = max(-(-retry_after // 60), 1)
    unit = "minute" if minutes == 1 else "minutes"
    assert body["error"] == f"Rate limit exceeded. Retry after {minutes} {unit}."
    assert body["code"] == "rate_limited"
    assert "partner key" in body["hint"]


def test_every_api_response_carries_the_request_quota(api_client, shop_a):
    first = post_booking(api_client, contract_body(shop_a))
    second = api_client.post(URL, {}, format="json")
    wrong_method = api_client.get(URL)

    assert first.headers["RateLimit-Limit"] == "100"
    assert first.headers["RateLimit-Remaining"] == "99"
    assert second.headers["RateLimit-Remaining"] == "98"
    assert wrong_method.status_code == 405
    assert wrong_method.headers["RateLimit-Remaining"] == "97"
    assert 0 < int(first.headers["RateLimit-Reset"]) <= 3600


def test_the_limits_are_settings(api_client, shop_a, settings):
    settings.PUBLIC_BOOKINGS_PER_HOUR = 2
    settings.PUBLIC_REQUESTS_PER_HOUR = 3

    statuses = [post_booking(api_client, contract_body(shop_a)).status_code for _ in range(4)]

    assert statuses == [201, 201, 429, 429]
    assert api_client.post(URL, {}, format="json").headers["RateLimit-Limit"] == "3"


@pytest.mark.parametrize(
    "proxies, forwarded_for, client",
    [
        # A spoofed X-Forwarded-For does not escape the limit behind one proxy.
        (1, "10.9.8.{n}, 203.0.113.7", "203.0.113.7"),
        # Without proxies the header is ignored.
        (0, "198.51.100.{n}", "127.0.0.1"),
    ],
)
def test_a_forwarded_for_header_does_not_escape_the_limit(
    api_client, shop_a, settings, proxies, forwarded_for, client
):
    settings.NUM_PROXIES = proxies
    statuses = [
        post_booking(
            api_client, contract_body(shop_a), HTTP_X_FORWARDED_FOR=forwarded_for.format(n=n)
        ).status_code
        for n in range(6)
    ]

    assert statuses == [201] * 5 + [429]
    assert set(Booking.objects.values_list("client_ip", flat=True)) == {client}


def test_ipv6_clients_are_limited_per_64_network(api_client, shop_a):
    same_network = [
        post_booking(
            api_client, contract_body(shop_a), REMOTE_ADDR=f"2001:db8:1:2::{n:x}"
        ).status_code
        for n in range(6)
    ]
    other_network = post_booking(api_client, contract_body(shop_a), REMOTE_ADDR="2001:db8:1:3::1")

    assert same_network == [201] * 5 + [429]
    assert other_network.status_code == 201


def test_ipv4_clients_of_a_dual_stack_listener_are_limited_each_on_its_own(api_client, shop_a):
    # A dual-stack listener reports IPv4 clients as ::ffff:a.b.c.d: all in one IPv6 /64.
    first = [
        post_booking(api_client, contract_body(shop_a), REMOTE_ADDR="::ffff:203.0.113.9")
        for _ in range(6)
    ]
    second = post_booking(api_client, contract_body(shop_a), REMOTE_ADDR="::ffff:198.51.100.7")

    assert [response.status_code for response in first] == [201] * 5 + [429]
    assert second.status_code == 201
    assert set(Booking.objects.values_list("client_ip", flat=True)) == {
        "203.0.113.9",
        "198.51.100.7",
    }


def test_bookings_still_succeed_when_the_cache_is_down(api_client, shop_a, settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            # Nothing listens on port 1: every cache call fails at once.
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }

    with caplog.at_level(logging.ERROR, logger="booking.ratelimits"):
        response = post_booking(api_client, contract_body(shop_a))

    assert response.status_code == 201
    assert Booking.objects.count() == 1
    assert "rate limit cache unavailable" in caplog.text
    assert "RateLimit-Remaining" not in response.headers


def test_a_client_over_the_request_limit_gets_no_booking_even_when_valid(
    api_client, shop_a, settings
):
    settings.PUBLIC_REQUESTS_PER_HOUR = 1
    day = next_working_day(shop_a, days_ahead=3).isoformat()
    api_client.post(URL, {}, format="json")

    response = api_client.post(URL, contract_body(shop_a, scheduled_date=day), format="json")

    assert response.status_code == 429
    assert not Booking.objects.exists()


def test_the_booking_page_shows_a_friendly_page_after_five_bookings(client, shop_a):

    statuses = [client.post(page_url(shop_a), form_data(shop_a)).status_code for _ in range(5)]

    refused = client.post(page_url(shop_a), form_data(shop_a))

    assert statuses == [302] * 5
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("text/html")
    assert int(refused["Retry-After"]) > 0
    assert "Too many tries from your connection" in refused.content.decode()
    assert 'href="tel:+16615550100"' in refused.content.decode()
    assert Booking.objects.count() == 5


def test_the_booking_page_and_the_api_share_one_request_limit(client, api_client, shop_a, settings):

    settings.PUBLIC_REQUESTS_PER_HOUR = 2
    api_client.post(URL, contract_body(shop_a), format="json")
    client.post(page_url(shop_a), form_data(shop_a, name=""))

    refused = client.post(page_url(shop_a), form_data(shop_a))

    assert refused.status_code == 429
    assert Booking.objects.count() == 1


def test_looking_at_the_booking_page_does_not_use_the_request_limit(client, shop_a, settings):

    settings.PUBLIC_REQUESTS_PER_HOUR = 1
    for _ in range(3):
        assert client.get(page_url(shop_a)).status_code == 200

    assert client.post(page_url(shop_a), form_data(shop_a)).status_code == 302


def test_a_failed_booking_gives_its_quota_back_to_the_hour_it_was_counted_in(rf, settings):
    settings.PUBLIC_BOOKINGS_PER_HOUR = 1
    request = rf.post("/api/booking/book", REMOTE_ADDR="203.0.113.9")
    start = time.time()
    later = start + ratelimits.HOUR

    with mock.patch("booking.ratelimits.time.time", return_value=start):
        try:
            with ratelimits.booking_quota(request):
                with mock.patch("booking.ratelimits.time.time", return_value=later):
                    raise RuntimeError("the booking failed as a new hour began")
        except RuntimeError:
            pass
        with ratelimits.booking_quota(request) as usage:
            again_this_hour = usage.count
    with mock.patch("booking.ratelimits.time.time", return_value=later):
        with ratelimits.booking_quota(request) as usage:
            first_of_next_hour = usage.count

    assert again_this_hour == 1
    assert first_of_next_hour == 1
