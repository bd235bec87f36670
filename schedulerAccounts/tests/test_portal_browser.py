"""A partner's agent signs in and books on a 360px phone."""

from __future__ import annotations

import pytest

from applianceops.tests.helpers import does_not_fit, screenshot
from booking.models import Booking
from booking.tests.helpers import next_working_day
from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import scheduler_agent_add
from schedulerAccounts.tests.helpers import PORTAL_PASSWORD


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_agent_signs_in_and_books_on_a_phone(live_server, phone_page, account_a, shop_a):
    account, _ = account_a
    SchedulerAccount.objects.filter(pk=account.pk).update(allowed_fields=["priority"])
    page = phone_page
    day = next_working_day(shop_a, days_ahead=2)

    page.goto(live_server.url + "/scheduler-login.html")
    screenshot(page, "portal-login-phone")
    page.get_by_label("Username").fill("acme-agent")
    page.get_by_label("Password").fill(PORTAL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("heading", name="Availability, next two weeks").wait_for()
    assert does_not_fit(page) == []
    page.locator("summary").first.click()
    screenshot(page, "portal-home-phone")

    page.get_by_label("Customer name").fill("Jane Smith")
    page.get_by_label("Phone").fill("(661) 555-0123")
    page.get_by_label("Service address").fill("123 Main St, Lancaster CA 93534")
    page.get_by_label("Appliance").select_option("Dishwasher")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_label("Time").select_option("pm")
    page.get_by_label("Priority").select_option("urgent")
    page.get_by_role("button", name="Book", exact=True).click()

    page.get_by_role("heading", name="Our bookings").wait_for()
    assert "Booked Jane Smith" in page.get_by_role("status").first.inner_text()
    assert does_not_fit(page) == []
    screenshot(page, "portal-bookings-phone")
    booking = Booking.objects.get()
    assert (booking.channel, booking.source, booking.priority) == ("portal", "acme", "urgent")
    assert booking.scheduled_date == day
    assert booking.window == "pm"


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_agent_rotates_the_api_key_and_sees_it_once(live_server, phone_page, account_a):
    account, old_key = account_a
    page = phone_page
    page.goto(live_server.url + "/scheduler-login.html")
    page.get_by_label("Username").fill("acme-agent")
    page.get_by_label("Password").fill(PORTAL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="API key").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Rotate the key").click()

    new_key = page.get_by_test_id("new-key").inner_text()
    screenshot(page, "portal-api-key-phone")
    account.refresh_from_db()
    assert new_key.startswith(account.key_prefix + "_")
    assert new_key != old_key
    assert does_not_fit(page) == []


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_second_agent_sees_each_error_named_and_the_list_says_who_booked(
    live_server, phone_page, account_a, shop_a
):
    account, _ = account_a
    scheduler_agent_add(account=account, username="acme-dana", password="dana-passphrase-9")
    page = phone_page
    day = next_working_day(shop_a, days_ahead=2)
    page.goto(live_server.url + "/scheduler-login.html")
    page.get_by_label("Username").fill("acme-dana")
    page.get_by_label("Password").fill("dana-passphrase-9")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Availability, next two weeks").wait_for()

    assert page.get_by_label("Appliance").input_value() == ""
    page.get_by_label("Customer name").fill("Jane Smith")
    page.get_by_role("button", name="Book", exact=True).click()
    page.locator(".field.has-error").first.wait_for()
    page.locator(".field.has-error").first.scroll_into_view_if_needed()
    screenshot(page, "portal-errors-named-phone")
    errors = page.locator("p.error").all_inner_texts()
    assert "Appliance: This field is required." in errors
    assert "Service address: This field is required." in errors
    assert "This field is required." not in errors

    page.get_by_label("Phone").fill("(661) 555-0123")
    page.get_by_label("Service address").fill("123 Main St, Lancaster CA 93534")
    page.get_by_label("Appliance").select_option("Dryer")
    page.get_by_label("Date").fill(day.isoformat())
    page.get_by_role("button", name="Book", exact=True).click()
    page.get_by_role("heading", name="Our bookings").wait_for()
    screenshot(page, "portal-bookings-by-agent-phone")
    assert "by acme-dana" in page.locator(".booking").first.inner_text()
    assert Booking.objects.get().agent.user.username == "acme-dana"
