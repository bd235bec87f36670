"""A partner key has its own limits, in a bucket of its own, instead of the public per-IP ones."""

from __future__ import annotations

from django.conf import settings

from booking.models import Booking
from booking.tests.helpers import BOOK_API as URL
from booking.tests.helpers import bearer, contract_body, post_booking
from schedulerAccounts.models import SchedulerAccount


def test_a_key_books_past_the_public_5_an_hour_then_its_own_limit_applies(
    api_client, account_a, shop_a
):
    account, key = account_a
    own_limit = settings.PUBLIC_BOOKINGS_PER_HOUR + 2
    SchedulerAccount.objects.filter(pk=account.pk).update(bookings_per_hour=own_limit)

    statuses = [
        post_booking(api_client, contract_body(shop_a, time_slot=""), key=key).status_code
        for _ in range(own_limit)
    ]
    refused = post_booking(api_client, contract_body(shop_a, time_slot=""), key=key)

    assert statuses == [201] * own_limit
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert Booking.objects.filter(account=account).count() == own_limit


def test_the_keys_bookings_do_not_use_the_public_quota_of_its_address(
    api_client, account_a, shop_a
):
    _, key = account_a
    for _ in range(settings.PUBLIC_BOOKINGS_PER_HOUR + 1):
        post_booking(api_client, contract_body(shop_a, time_slot=""), key=key)

    public = [
        post_booking(api_client, contract_body(shop_a, time_slot="")).status_code
        for _ in range(settings.PUBLIC_BOOKINGS_PER_HOUR)
    ]

    assert public == [201] * settings.PUBLIC_BOOKINGS_PER_HOUR
    assert post_booking(api_client, contract_body(shop_a, time_slot="")).status_code == 429


def test_the_accounts_request_limit_applies_and_its_quota_is_reported(
    api_client, account_a, shop_a
):
    account, key = account_a
    SchedulerAccount.objects.filter(pk=account.pk).update(requests_per_hour=3)
    body = contract_body(shop_a, name="")  # a 400 still counts as a request

    first = api_client.post(URL, body, format="json", **bearer(key))
    for _ in range(2):
        api_client.post(URL, body, format="json", **bearer(key))
    fourth = api_client.post(URL, body, format="json", **bearer(key))

    assert first.status_code == 400
    assert first["RateLimit-Limit"] == "3"
    assert first["RateLimit-Remaining"] == "2"
    assert fourth.status_code == 429
