"""What the booking services write to the webhook outbox (webhooks/events.py)."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from booking.models import Booking
from booking.services import booking_assign, booking_update
from booking.tests.helpers import TUESDAY, book
from schedulerAccounts.tests.helpers import issue_test_key
from technicians.tests.helpers import hire
from webhooks.models import WebhookDelivery, WebhookEvent
from webhooks.tests.helpers import book_as_partner, endpoint

pytestmark = pytest.mark.usefixtures("monday_morning")


def bodies(booking) -> list[dict]:
    events = WebhookEvent.objects.filter(booking=booking).order_by("sequence")
    return [json.loads(event.body) for event in events]


def test_a_booking_of_a_shop_without_endpoints_writes_nothing(shop_a, shop_b, settings):
    settings.WEBHOOK_ALLOW_LOCAL = True
    endpoint(shop_b, "http://127.0.0.1:9/")
    booking = book(shop_a)
    booking_update(booking=booking, issue="Now it leaks too.")

    assert not WebhookEvent.objects.exists()


def test_an_endpoint_hears_only_the_events_it_chose(shop_a, settings):
    settings.WEBHOOK_ALLOW_LOCAL = True
    endpoint(shop_a, "http://127.0.0.1:9/", events=["booking.updated"])
    booking = book(shop_a)
    booking_update(booking=booking, issue="Now it leaks too.")

    [event] = bodies(booking)
    assert event["type"] == "booking.updated"
    assert event["data"]["previous"] == {"issue": "Not cooling."}
    assert event["data"]["booking"]["issue"] == "Now it leaks too."
    assert event["sequence"] == 1


def test_a_technician_assigned_is_an_update_naming_the_old_one(shop_a, settings):
    settings.WEBHOOK_ALLOW_LOCAL = True
    ann, zoe = hire(shop_a, "Ann Lee"), hire(shop_a, "Zoe Park")
    endpoint(shop_a, "http://127.0.0.1:9/")
    booking = book(shop_a, TUESDAY, "09:00", technician=ann)
    booking_assign(booking=booking, technician=zoe)

    created, assigned = bodies(booking)
    assert created["data"]["booking"]["technician"] == "Ann"
    assert (assigned["type"], assigned["data"]["previous"]) == (
        "booking.updated",
        {"technician": "Ann"},
    )
    assert assigned["data"]["booking"]["technician"] == "Zoe"


def test_a_test_key_booking_reaches_its_partner_saying_so_and_not_the_shop(
    shop_a, account_a, settings
):
    settings.WEBHOOK_ALLOW_LOCAL = True
    account, _ = account_a
    partners, _ = endpoint(shop_a, "http://127.0.0.1:9/", account=account)
    shops, _ = endpoint(shop_a, "http://127.0.0.1:8/")

    booking = book_as_partner(shop_a, issue_test_key(account))

    assert booking.is_test
    assert bodies(booking)[0]["test"] is True
    receivers = WebhookDelivery.objects.filter(event__booking=booking)
    assert set(receivers.values_list("endpoint", flat=True)) == {partners.pk}


@pytest.mark.django_db(transaction=True)
def test_concurrent_changes_of_one_booking_get_distinct_increasing_numbers(shop_a, settings):
    settings.WEBHOOK_ALLOW_LOCAL = True
    endpoint(shop_a, "http://127.0.0.1:9/")
    booking = book(shop_a)
    barrier = threading.Barrier(4, timeout=30)
    errors = []

    def edit(n: int) -> None:
        try:
            mine = Booking.objects.get(pk=booking.pk)
            barrier.wait()
            booking_update(booking=mine, claim_number=f"CLM-{n}")
        except Exception as exc:  # reported below: a thread must never die silently
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    sequences = [event["sequence"] for event in bodies(booking)]
    assert sequences == [1, 2, 3, 4, 5]
    assert WebhookDelivery.objects.count() == 5


def test_a_switched_off_partner_account_hears_nothing_but_the_shop_still_does(
    shop_a, account_a, settings
):
    settings.WEBHOOK_ALLOW_LOCAL = True
    account, key = account_a
    partner_hook, _ = endpoint(shop_a, "http://127.0.0.1:9/partner", account=account)
    shop_hook, _ = endpoint(shop_a, "http://127.0.0.1:9/shop")
    booking = book_as_partner(shop_a, key)
    account.is_active = False
    account.save(update_fields=["is_active"])
    booking_update(booking=booking, issue="Now it leaks too.")

    sent = WebhookDelivery.objects.values_list("event__type", "endpoint__url")
    assert sorted(sent) == [
        ("booking.created", partner_hook.url),
        ("booking.created", shop_hook.url),
        ("booking.updated", shop_hook.url),
    ]
