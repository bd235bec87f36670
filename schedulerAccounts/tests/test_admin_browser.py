"""An owner creates a scheduler account in the admin and copies its key."""

from __future__ import annotations

import pytest

from applianceops.tests.helpers import screenshot
from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import scheduler_account_for_key


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_owner_creates_an_account_and_sees_the_key_once(live_server, desktop_page, alice):
    page = desktop_page
    page.goto(live_server.url + "/admin/login/?next=/admin/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Log in").click()

    # Settings -> Scheduler accounts, as the Partner API page tells partners to ask for it.
    settings_module = page.locator("table", has=page.get_by_role("link", name="Settings"))
    screenshot(page, "admin-index-settings")
    settings_module.get_by_role("link", name="Scheduler accounts").click()
    page.get_by_role("link", name="Add scheduler account").click()

    page.get_by_label("Partner name").fill("Cinch Home")
    page.get_by_label("Source tag").fill("cinch")
    page.get_by_label("Priority (normal or urgent)").check()
    page.locator("#id_agents-0-username").fill("cinch-agent")
    page.locator("#id_agents-0-password").fill("a-long-portal-passphrase")
    screenshot(page, "admin-scheduler-account-add")
    page.get_by_role("button", name="Save", exact=True).click()

    key = page.locator("code.scheduler-new-key").inner_text()
    screenshot(page, "admin-scheduler-account-key")
    account = SchedulerAccount.objects.get()
    assert scheduler_account_for_key(key) == account
    assert account.allowed_fields == ["priority"]
    assert account.shop.slug == "done-right-appliance"
    assert [agent.user.username for agent in account.agents.all()] == ["cinch-agent"]


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_key_buttons_look_like_the_history_pill_beside_them(
    live_server, desktop_page, alice, account_a
):
    page = desktop_page
    page.goto(live_server.url + "/admin/login/")
    page.get_by_label("Username").fill("alice")
    page.get_by_label("Password").fill("password")
    page.get_by_role("button", name="Log in").click()

    page.goto(
        f"{live_server.url}/admin/scheduler_accounts/scheduleraccount/{account_a[0].pk}/change/"
    )
    screenshot(page, "admin-scheduler-account-change")

    def look(locator) -> dict:
        return locator.evaluate(
            "e => { const s = getComputedStyle(e); return {radius: s.borderRadius,"
            " case: s.textTransform, background: s.backgroundColor}; }"
        )

    history = look(page.locator(".object-tools a.historylink"))
    assert look(page.get_by_role("button", name="Issue new API key")) == history
    assert look(page.get_by_role("button", name="Revoke API key")) == history
