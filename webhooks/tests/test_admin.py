from __future__ import annotations

import re

import pytest

from booking.tests.helpers import run_worker
from webhooks.models import ALL_EVENTS, WebhookDelivery, WebhookEndpoint
from webhooks.tests.helpers import book_as_partner, endpoint

ENDPOINTS = "/admin/webhooks/webhookendpoint/"
LOG = "/admin/webhooks/webhookdelivery/"

pytestmark = pytest.mark.usefixtures("monday_morning")


@pytest.fixture
def delivered(shop_a, account_a, webhook_receiver, django_capture_on_commit_callbacks):
    """Account A's endpoint, and a booking of account A delivered to it."""
    endpoint(shop_a, webhook_receiver.url + "/acme", account=account_a[0])
    with django_capture_on_commit_callbacks(execute=True):
        book_as_partner(shop_a, account_a[1])
    run_worker()
    return WebhookDelivery.objects.get()


def test_an_owner_adds_a_shop_wide_endpoint_and_sees_its_secret_once(
    client, alice, shop_a, webhook_receiver
):
    client.force_login(alice)
    response = client.post(
        ENDPOINTS + "add/",
        {
            "shop": shop_a.pk,
            "account": "",
            "url": webhook_receiver.url,
            "events": ALL_EVENTS,
            "is_active": "on",
        },
    )

    hook = WebhookEndpoint.objects.get()
    assert (hook.shop, hook.account, hook.events) == (shop_a, None, ALL_EVENTS)
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert hook.secret in response.content.decode()
    change_page = client.get(f"{ENDPOINTS}{hook.pk}/change/").content.decode()
    assert hook.secret not in change_page
    assert "whsec_…" in change_page


def test_an_owner_cannot_add_an_endpoint_on_an_internal_address(client, alice, shop_a, settings):
    settings.WEBHOOK_ALLOW_LOCAL = False
    client.force_login(alice)
    response = client.post(
        ENDPOINTS + "add/",
        {"shop": shop_a.pk, "url": "https://169.254.169.254/", "events": ["booking.created"]},
    )

    assert response.status_code == 200
    assert "169.254.169.254, an internal address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_the_account_choices_are_the_owner_s_shop_s_only(client, alice, account_a, account_b):
    client.force_login(alice)
    html = client.get(ENDPOINTS + "add/").content.decode()

    assert "Acme Warranty" in html
    assert "Best Home" not in html


def test_rotating_shows_a_new_secret_that_signs_from_then_on(
    client, alice, shop_a, webhook_receiver
):
    hook, old = endpoint(shop_a, webhook_receiver.url)
    client.force_login(alice)
    response = client.post(ENDPOINTS, {"action": "rotate_secrets", "_selected_action": [hook.pk]})

    hook.refresh_from_db()
    assert hook.secret != old
    assert hook.secret in response.content.decode()


def test_the_owner_reads_the_log_and_sends_an_event_again(
    client, alice, delivered, webhook_receiver, django_capture_on_commit_callbacks
):
    client.force_login(alice)
    log = client.get(LOG).content.decode()
    assert "booking.created #1" in log and "Delivered" in log
    page = client.get(f"{LOG}{delivered.pk}/change/").content.decode()
    assert "ok, thanks" in page  # the receiver's answer, in the attempts
    assert delivered.event_id in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(LOG, {"action": "send_again", "_selected_action": [delivered.pk]})
    run_worker()

    assert len(webhook_receiver.requests) == 2
    assert {r.headers["webhook-id"] for r in webhook_receiver.requests} == {delivered.event_id}
    assert delivered.attempt_log.count() == 2


def test_charlie_sees_none_of_shop_a_s_endpoints_or_log(client, charlie, delivered):
    client.force_login(charlie)

    assert delivered.endpoint.url not in client.get(ENDPOINTS).content.decode()
    assert client.get(f"{ENDPOINTS}{delivered.endpoint_id}/change/").status_code == 404
    log = client.get(LOG).content.decode()
    assert delivered.endpoint.url not in log and "0 webhook deliveries" in log
    assert client.get(f"{LOG}{delivered.pk}/change/").status_code == 404
    client.post(LOG, {"action": "send_again", "_selected_action": [delivered.pk]})
    assert WebhookDelivery.objects.get().attempts == 1


def test_a_dispatcher_sees_no_endpoints_or_secrets(client, bob, delivered):
    client.force_login(bob)

    assert client.get(ENDPOINTS).status_code == 403
    assert client.get(LOG).status_code == 403
    assert not re.search(r"whsec_\w", client.get("/admin/").content.decode())
