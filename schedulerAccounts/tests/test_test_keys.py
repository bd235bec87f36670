"""Test keys (ao_test_...): issued by the command and the owner, shown to the partner."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from schedulerAccounts import keys
from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import KeyRejected, scheduler_account_for_key
from schedulerAccounts.tests.helpers import issue_test_key, portal_login

LIST = "/admin/scheduler_accounts/scheduleraccount/"


def test_a_test_key_has_its_own_form_and_finds_its_account_in_test_mode(account_a):
    account, live_key = account_a

    test_key = issue_test_key(account)

    assert keys.key_prefix(test_key) == test_key[: len("ao_test_") + 8]
    assert len(test_key) == len("ao_test_") + 8 + 1 + 40
    found = scheduler_account_for_key(test_key)
    assert found == account and found.test_mode is True
    assert scheduler_account_for_key(live_key).test_mode is False
    # The live key's secret with the test prefix is no key at all.
    with pytest.raises(KeyRejected, match="Invalid"):
        scheduler_account_for_key("ao_test_" + live_key[len("ao_live_") :])


def test_the_command_prints_a_working_test_key_before_the_live_key(shop_a):
    out = StringIO()
    call_command("create_scheduler_account", shop_a.slug, "Acme Warranty", "--test-key", stdout=out)

    lines = out.getvalue().strip().splitlines()
    test_key, live_key = lines[-3], lines[-1]
    account = SchedulerAccount.objects.get()
    assert test_key.startswith("ao_test_") and live_key.startswith("ao_live_")
    assert scheduler_account_for_key(test_key).test_mode is True
    assert scheduler_account_for_key(live_key) == account


def test_without_the_flag_the_command_issues_no_test_key(shop_a):
    call_command("create_scheduler_account", shop_a.slug, "Acme Warranty", stdout=StringIO())

    assert SchedulerAccount.objects.get().test_key_status == "none"


def test_the_owner_issues_and_revokes_a_test_key_in_the_admin(client, alice, account_a):
    account, live_key = account_a
    client.force_login(alice)

    page = client.get(f"{LIST}{account.pk}/change/").content.decode()
    issued = client.post(f"{LIST}{account.pk}/rotate-test-key/")
    ((_, test_key),) = issued.context["new_keys"]
    revoked = client.post(f"{LIST}{account.pk}/revoke-test-key/")

    assert "Issue test key" in page
    assert test_key.startswith("ao_test_") and test_key in issued.content.decode()
    assert "The previous key stopped working" not in issued.content.decode()
    assert revoked.status_code == 302
    with pytest.raises(KeyRejected, match="test key has been revoked"):
        scheduler_account_for_key(test_key)
    assert scheduler_account_for_key(live_key) == account


def test_bob_and_charlie_cannot_issue_shop_a_s_test_key(client, bob, charlie, account_a):
    account, _ = account_a
    for user in (bob, charlie):
        client.force_login(user)
        response = client.post(f"{LIST}{account.pk}/rotate-test-key/")
        assert response.status_code in (403, 404)
    account.refresh_from_db()
    assert account.test_key_status == "none"


def test_the_partner_sees_its_test_key_on_the_portal_key_page(client, account_a):
    account, _ = account_a
    client.force_login(portal_login(account))

    before = client.get("/scheduler/api-key").content.decode()
    refused = client.post("/scheduler/api-key", {"key": "test"})
    issue_test_key(account)
    account.refresh_from_db()
    shown = client.get("/scheduler/api-key").content.decode()
    rotated = client.post("/scheduler/api-key", {"key": "test"})

    assert "ask the shop owner for one" in before
    assert refused.context["new_key"] is None
    assert f"{account.test_key_prefix}_…" in shown
    new_key = rotated.context["new_key"]
    assert new_key.startswith("ao_test_") and new_key in rotated.content.decode()
    assert scheduler_account_for_key(new_key).test_mode is True


def test_the_api_docs_tell_a_partner_how_to_develop_against_a_test_key(client):
    html = client.get("/api/docs").content.decode()

    assert 'id="test-keys"' in html and 'href="#test-keys"' in html
    assert "ao_test_" in html
    assert "takes no seat" in html
