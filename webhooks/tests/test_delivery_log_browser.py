"""The delivery log in a browser: the owner in the admin, the partner's agent in the portal."""

from __future__ import annotations

import pytest

from applianceops.tests.helpers import screenshot
from booking.tests.helpers import run_worker
from schedulerAccounts.tests.helpers import PORTAL_PASSWORD
from webhooks.models import WebhookDelivery, WebhookEndpoint
from webhooks.tests.helpers import book_as_partner, endpoint

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def logged(shop_a, account_a, webhook_receiver):
    """Two of account A's bookings sent to its endpoint and the shop's: the first delivered,
    the second refused once by the receiver (500) and waiting for its retry."""
    endpoint(shop_a, webhook_receiver.url + "/acme", account=account_a[0])
    endpoint(shop_a, webhook_receiver.url + "/shop")
    webhook_receiver.answers = [200, 200, 500, 500]
    for phone in ("+16615550101", "+16615550102"):
        book_as_partner(shop_a, account_a[1], phone=phone)
        run_worker()
    return WebhookDelivery.objects.all()


def test_the_owner_reads_the_delivery_log_in_the_admin(live_server, desktop_page, alice, logged):
    alice.set_password("owner-pass-123")
    alice.save()
    page = desktop_page
    page.goto(f"{live_server.url}/admin/login/?next=/admin/webhooks/webhookdelivery/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "owner-pass-123")
    page.click("input[type=submit]")

    page.get_by_role("heading", name="Webhook delivery log").wait_for()
    rows = page.locator("#result_list tbody tr")
    assert rows.count() == 4
    table = page.locator("#result_list").inner_text()
    assert table.count("Delivered") == 2 and table.count("Waiting") == 2
    assert "HTTP 500" in table and "/shop (the whole shop)" in table
    screenshot(page, "webhooks-admin-log")

    waiting = logged.filter(status="pending").first()
    page.goto(f"{live_server.url}/admin/webhooks/webhookdelivery/{waiting.pk}/change/")
    attempts = page.locator(".inline-group").inner_text()
    assert "500" in attempts and "receiver broke: try later" in attempts
    screenshot(page, "webhooks-admin-delivery")

    page.goto(f"{live_server.url}/admin/webhooks/webhookendpoint/")
    endpoints = page.locator("#result_list").inner_text()
    assert "Acme Warranty's bookings" in endpoints and "every booking of the shop" in endpoints
    screenshot(page, "webhooks-admin-endpoints")


def test_the_partner_s_agent_reads_its_own_log_in_the_portal(
    live_server, desktop_page, logged, webhook_receiver
):
    page = desktop_page
    page.goto(f"{live_server.url}/scheduler-login.html")
    page.get_by_label("Username").fill("acme-agent")
    page.get_by_label("Password").fill(PORTAL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Delivery log").click()

    page.get_by_role("heading", name="Delivery log").wait_for()
    log = page.get_by_test_id("deliveries").inner_text()
    assert log.count("booking.created #1") == 2
    assert "/acme" in log and "/shop" not in log
    assert "receiver broke: try later" in log and "ok, thanks" in log
    screenshot(page, "webhooks-portal-log")

    page.get_by_role("button", name="Send again").first.click()
    assert "will be sent again" in page.get_by_role("status").first.inner_text()

    # A second endpoint, only for cancellations: its secret is shown this once.
    page.get_by_role("link", name="Webhooks", exact=True).click()
    page.get_by_label("URL").fill(webhook_receiver.url + "/cancellations")
    for box in page.locator("fieldset.events input[type=checkbox]").all():
        box.set_checked(box.get_attribute("value") == "booking.cancelled")
    page.get_by_role("button", name="Add the endpoint").click()
    secret = page.get_by_test_id("new-secret").inner_text()
    hook = WebhookEndpoint.objects.get(url=webhook_receiver.url + "/cancellations")
    assert secret == hook.secret and hook.events == ["booking.cancelled"]
    screenshot(page, "webhooks-portal-endpoints")
