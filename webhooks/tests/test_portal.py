from __future__ import annotations

import pytest

from booking.tests.helpers import run_worker
from schedulerAccounts.tests.helpers import portal_login
from webhooks.models import ALL_EVENTS, WebhookDelivery, WebhookEndpoint
from webhooks.tests.helpers import book_as_partner, endpoint

pytestmark = pytest.mark.usefixtures("monday_morning")


@pytest.fixture
def agent(client, account_a):
    client.force_login(portal_login(account_a[0]))
    return client


def deliver_a_booking(shop, account_and_key, capture):
    """A booking the account made with its key, delivered to the endpoints that hear of it."""
    with capture(execute=True):
        booking = book_as_partner(shop, account_and_key[1])
    run_worker()
    return booking


def test_an_agent_adds_an_endpoint_and_sees_its_secret_once(agent, account_a, webhook_receiver):
    response = agent.post(
        "/scheduler/webhooks",
        {"url": webhook_receiver.url + "/in", "events": ["booking.created"], "is_active": "on"},
    )

    hook = WebhookEndpoint.objects.get()
    assert (hook.account, hook.shop, hook.events) == (
        account_a[0],
        account_a[0].shop,
        ["booking.created"],
    )
    assert hook.secret in response.content.decode()
    again = agent.get("/scheduler/webhooks").content.decode()
    assert hook.url in again and hook.secret not in again


def test_an_agent_cannot_point_an_endpoint_inside_our_network(agent, settings):
    settings.WEBHOOK_ALLOW_LOCAL = False
    response = agent.post(
        "/scheduler/webhooks", {"url": "https://127.0.0.1:6379/", "events": ALL_EVENTS}
    )

    assert response.status_code == 400
    assert "127.0.0.1, an internal address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_agent_edits_rotates_and_deletes_its_endpoint(
    agent, shop_a, account_a, webhook_receiver
):
    hook, old = endpoint(shop_a, webhook_receiver.url, account=account_a[0])
    agent.post(f"/scheduler/webhooks/{hook.pk}", {"url": hook.url, "events": ["booking.cancelled"]})
    hook.refresh_from_db()
    assert (hook.events, hook.is_active) == (["booking.cancelled"], False)

    response = agent.post(f"/scheduler/webhooks/{hook.pk}/rotate-secret")
    hook.refresh_from_db()
    assert hook.secret != old and hook.secret in response.content.decode()

    agent.post(f"/scheduler/webhooks/{hook.pk}/delete")
    assert not WebhookEndpoint.objects.exists()


def test_an_agent_reads_its_log_and_sends_an_event_again(
    agent, shop_a, account_a, webhook_receiver, django_capture_on_commit_callbacks
):
    endpoint(shop_a, webhook_receiver.url + "/acme", account=account_a[0])
    webhook_receiver.answers = [500]
    booking = deliver_a_booking(shop_a, account_a, django_capture_on_commit_callbacks)
    log = agent.get("/scheduler/webhooks/deliveries").content.decode()
    assert "booking.created #1" in log and booking.reference in log
    assert "receiver broke: try later" in log and ">500<" in log

    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=WebhookDelivery.Status.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        agent.post(f"/scheduler/webhooks/deliveries/{delivery.pk}/send-again")
    run_worker()
    assert len(webhook_receiver.requests) == 2
    assert WebhookDelivery.objects.get().status == WebhookDelivery.Status.DELIVERED


def test_a_partner_sees_only_its_own_endpoints_and_log(
    client,
    shop_a,
    account_a,
    account_a2,
    account_b,
    webhook_receiver,
    django_capture_on_commit_callbacks,
):
    mine, _ = endpoint(shop_a, webhook_receiver.url + "/acme", account=account_a[0])
    shops, _ = endpoint(shop_a, webhook_receiver.url + "/shop-own")
    deliver_a_booking(shop_a, account_a, django_capture_on_commit_callbacks)
    acme_delivery = WebhookDelivery.objects.get(endpoint=mine)

    for other in (account_a2[0], account_b[0]):
        client.force_login(portal_login(other))
        assert mine.url not in client.get("/scheduler/webhooks").content.decode()
        log = client.get("/scheduler/webhooks/deliveries").content.decode()
        assert "booking.created" not in log and "Nothing sent yet" in log
        assert client.get(f"/scheduler/webhooks/{mine.pk}").status_code == 404
        assert client.post(f"/scheduler/webhooks/{mine.pk}/rotate-secret").status_code == 404
        assert client.post(f"/scheduler/webhooks/{mine.pk}/delete").status_code == 404
        send = f"/scheduler/webhooks/deliveries/{acme_delivery.pk}/send-again"
        assert client.post(send).status_code == 404

    # Account A's own agent: its endpoint and log, never the shop's own endpoint.
    client.force_login(portal_login(account_a[0]))
    assert shops.url not in client.get("/scheduler/webhooks").content.decode()
    assert client.get(f"/scheduler/webhooks/{shops.pk}").status_code == 404
    log = client.get("/scheduler/webhooks/deliveries").content.decode()
    assert "/acme" in log and "/shop-own" not in log
    assert WebhookEndpoint.objects.filter(pk=mine.pk).exists()


def test_the_webhook_pages_need_a_portal_login(client, alice):
    client.force_login(alice)
    response = client.get("/scheduler/webhooks")

    assert response.status_code == 302
    assert response["Location"].startswith("/scheduler-login.html")
