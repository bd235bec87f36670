"""Safe retries under a burst: one Idempotency-Key, or one work order, sent by many clients at
the same instant books exactly once. Real threads on file SQLite and PostgreSQL (the suite's
second pass), and real gunicorn worker processes."""

from __future__ import annotations

from collections import Counter

import pytest

from booking.models import Booking, Notification, SeatCounter
from booking.tests.helpers import contract_body, post_together

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

KEY = "c7b0e4f2-31d6-4f0e-9a65-2b9e3f1d7a10"


def assert_one_booking_for_a_key(results):
    statuses = Counter(status for status, _, _ in results)
    assert set(statuses) <= {201, 409}, results
    created = [(data, headers) for status, data, headers in results if status == 201]
    first = [data for data, headers in created if "Idempotent-Replayed" not in headers]
    assert len(first) == 1, created
    assert all(data == first[0] for data, _ in created)
    conflicts = [data for status, data, _ in results if status == 409]
    assert all(data["code"] == "idempotency_conflict" for data in conflicts)
    booking = Booking.objects.get()
    assert str(booking.pk) == first[0]["booking_id"]
    assert sum(SeatCounter.objects.values_list("booked", flat=True)) == 1
    assert Notification.objects.count() == 2


def test_thirty_requests_with_one_key_book_once(shop_a):
    body = contract_body(shop_a)

    results = post_together([(body, {"Idempotency-Key": KEY})] * 30)

    assert_one_booking_for_a_key(results)


def test_twenty_requests_for_one_work_order_book_once(shop_a, settings):
    settings.NUM_PROXIES = 1
    body = contract_body(shop_a, work_order_number="WO-4410")
    # From twenty addresses, so no rate limit and no shared key: only the work order joins them.
    requests = [(body, {"X-Forwarded-For": f"198.51.100.{n}"}) for n in range(1, 21)]

    results = post_together(requests)

    statuses = Counter(status for status, _, _ in results)
    assert statuses == {201: 1, 200: 19}, results
    booking = Booking.objects.get()
    assert {data["booking_id"] for _, data, _ in results} == {str(booking.pk)}
    assert [data["duplicate"] for status, data, _ in results if status == 200] == [True] * 19
    assert sum(SeatCounter.objects.values_list("booked", flat=True)) == 1
    assert Notification.objects.count() == 2


def test_thirty_requests_with_one_key_book_once_across_gunicorn_workers(gunicorn, shop_a):
    base = gunicorn(workers=3, DEBUG="true", PUBLIC_REQUESTS_PER_HOUR="1000")
    body = contract_body(shop_a)

    results = post_together([(body, {"Idempotency-Key": KEY})] * 30, base_url=base)

    assert_one_booking_for_a_key(results)
