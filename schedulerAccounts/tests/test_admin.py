"""Settings -> Scheduler Accounts in the admin: owners only, their own shop only."""

from __future__ import annotations

import pytest
from django.contrib.admin.sites import site
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory

from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import KeyRejected, scheduler_account_for_key
from schedulerAccounts.tests.helpers import portal_login

LIST = "/admin/scheduler_accounts/scheduleraccount/"
ADD = LIST + "add/"


def change_url(account) -> str:
    return f"{LIST}{account.pk}/change/"


def logins(*rows: dict, initial: int = 0) -> dict:
    """The portal-logins rows of the account form, as the admin posts them."""
    data = {
        "agents-TOTAL_FORMS": str(len(rows)),
        "agents-INITIAL_FORMS": str(initial),
        "agents-MIN_NUM_FORMS": "0",
        "agents-MAX_NUM_FORMS": "1000",
    }
    for n, row in enumerate(rows):
        data.update({f"agents-{n}-{name}": value for name, value in row.items()})
    return data


def add_form(shop, *rows: dict, **overrides) -> dict:
    data = {
        "shop": shop.pk,
        "name": "Cinch Home",
        "is_active": "on",
        "source_tag": "cinch",
        "allowed_fields": ["priority", "partner_reference"],
        "requests_per_hour": "1000",
        "bookings_per_hour": "200",
        **logins(*(rows or [{"username": "cinch-agent", "password": "a-long-portal-passphrase"}])),
    }
    data.update(overrides)
    return data


def test_an_owner_creates_an_account_and_sees_its_key_once(client, alice, shop_a):
    client.force_login(alice)

    response = client.post(ADD, add_form(shop_a))

    assert response.status_code == 200
    account = SchedulerAccount.objects.get()
    ((shown_account, key),) = response.context["new_keys"]
    assert shown_account == account
    assert key in response.content.decode()
    assert scheduler_account_for_key(key) == account
    assert "no-store" in response["Cache-Control"]
    assert account.allowed_fields == ["priority", "partner_reference"]
    assert portal_login(account).username == "cinch-agent"
    assert portal_login(account).is_staff is False
    assert portal_login(account).check_password("a-long-portal-passphrase")
    assert key not in client.get(change_url(account)).content.decode()
    assert key not in client.get(LIST).content.decode()


def test_the_extra_fields_are_checkboxes(client, alice, shop_a):
    client.force_login(alice)

    content = client.get(ADD).content.decode()

    assert 'type="checkbox" name="allowed_fields" value="dispatcher_notes"' in content


def test_a_weak_portal_password_is_refused_and_nothing_is_created(client, alice, shop_a):
    client.force_login(alice)

    response = client.post(
        ADD, add_form(shop_a, {"username": "cinch-agent", "password": "12345678"})
    )

    assert response.status_code == 200
    assert "password" in response.context["inline_admin_formsets"][0].formset.errors[0]
    assert not SchedulerAccount.objects.exists()


def test_a_taken_portal_username_is_refused(client, alice, bob, shop_a):
    client.force_login(alice)

    response = client.post(
        ADD, add_form(shop_a, {"username": "BOB", "password": "a-long-portal-passphrase"})
    )

    assert "username" in response.context["inline_admin_formsets"][0].formset.errors[0]
    assert not SchedulerAccount.objects.exists()


def test_an_empty_password_keeps_the_current_one(client, alice, account_a):
    account, _ = account_a
    agent = account.agents.get()
    client.force_login(alice)

    response = client.post(
        change_url(account),
        add_form(
            account.shop,
            {
                "id": agent.pk,
                "account": account.pk,
                "username": "acme-2",
                "password": "",
                "is_active": "on",
            },
            name="Acme Warranty",
            source_tag="acme",
            **{"agents-INITIAL_FORMS": "1"},
        ),
    )

    assert response.status_code == 302
    assert portal_login(account).username == "acme-2"
    assert portal_login(account).check_password("correct-horse-battery")


def test_an_owner_gives_a_partner_several_logins_and_switches_one_off(client, alice, account_a):
    account, _ = account_a
    agent = account.agents.get()
    client.force_login(alice)

    response = client.post(
        change_url(account),
        add_form(
            account.shop,
            {"id": agent.pk, "account": account.pk, "username": "acme-agent", "password": ""},
            {"account": account.pk, "username": "acme-dana", "password": "dana-long-passphrase"},
            name="Acme Warranty",
            source_tag="acme",
            **{"agents-INITIAL_FORMS": "1"},
        ),
    )

    assert response.status_code == 302
    users = {a.user.username: a.user for a in account.agents.select_related("user")}
    assert set(users) == {"acme-agent", "acme-dana"}
    assert users["acme-agent"].is_active is False  # unticked "can sign in"
    assert users["acme-dana"].is_active and not users["acme-dana"].is_staff
    assert users["acme-dana"].check_password("dana-long-passphrase")
    listing = client.get(LIST).content.decode()
    assert "acme-dana" in listing and "acme-agent" not in listing


def test_the_rotate_action_shows_new_keys_and_the_old_ones_stop(client, alice, account_a):
    account, old_key = account_a
    client.force_login(alice)

    response = client.post(LIST, {"action": "rotate_keys", "_selected_action": [account.pk]})

    ((_, new_key),) = response.context["new_keys"]
    assert new_key in response.content.decode()
    assert scheduler_account_for_key(new_key) == account
    with pytest.raises(KeyRejected):
        scheduler_account_for_key(old_key)


def test_the_revoke_action_refuses_the_key_from_then_on(client, alice, account_a):
    account, key = account_a
    client.force_login(alice)

    client.post(LIST, {"action": "revoke_keys", "_selected_action": [account.pk]})

    with pytest.raises(KeyRejected, match="revoked"):
        scheduler_account_for_key(key)


def test_the_change_page_rotates_and_revokes_with_a_post(client, alice, account_a):
    account, key = account_a
    client.force_login(alice)

    assert client.get(f"{LIST}{account.pk}/rotate-key/").status_code == 405
    rotated = client.post(f"{LIST}{account.pk}/rotate-key/")
    ((_, new_key),) = rotated.context["new_keys"]
    revoked = client.post(f"{LIST}{account.pk}/revoke-key/")

    assert revoked.status_code == 302
    with pytest.raises(KeyRejected, match="revoked"):
        scheduler_account_for_key(new_key)


def test_deleting_an_account_deletes_its_portal_login(client, alice, account_a):
    account, _ = account_a
    client.force_login(alice)

    client.post(f"{LIST}{account.pk}/delete/", {"post": "yes"})

    assert not SchedulerAccount.objects.exists()
    assert not get_user_model().objects.filter(username="acme-agent").exists()


def test_a_dispatcher_does_not_see_scheduler_accounts(client, bob, account_a):
    account, _ = account_a
    client.force_login(bob)

    assert client.get(LIST).status_code == 403
    assert client.get(change_url(account)).status_code == 403  # their shop's: for owners
    assert client.get(ADD).status_code == 403
    assert b"Scheduler accounts" not in client.get("/admin/").content


def test_charlie_sees_nothing_of_shop_as_accounts(client, charlie, account_a, account_b):
    account, key = account_a
    client.force_login(charlie)

    listing = client.get(LIST)
    change = client.get(change_url(account))
    rotate = client.post(f"{LIST}{account.pk}/rotate-key/")
    action = client.post(LIST, {"action": "rotate_keys", "_selected_action": [account.pk]})

    assert list(listing.context["cl"].queryset) == [account_b[0]]
    assert change.status_code == 404
    assert rotate.status_code == 404
    assert action.status_code == 302
    assert scheduler_account_for_key(key) == account
    assert "Acme" not in client.get(ADD).content.decode()


def test_an_owner_finds_scheduler_accounts_under_settings(client, alice, shop_a):
    client.force_login(alice)

    apps = client.get("/admin/").context["app_list"]

    (settings,) = [app for app in apps if app["name"] == "Settings"]
    assert "Scheduler accounts" in [model["name"] for model in settings["models"]]
    assert "Online booking settings" in [model["name"] for model in settings["models"]]


def test_the_shop_field_starts_at_an_owners_only_shop(client, alice, shop_a, shop_b):
    client.force_login(alice)

    form = client.get(ADD).context["adminform"].form

    assert list(form.fields["shop"].queryset) == [shop_a]
    assert form.fields["shop"].initial == shop_a.pk


def test_saving_into_another_shop_is_refused_behind_the_form(charlie, shop_a):
    request = RequestFactory().post(ADD)
    request.user = charlie
    account = SchedulerAccount(shop=shop_a, name="Sneaky", source_tag="sneaky")

    with pytest.raises(PermissionDenied):
        site._registry[SchedulerAccount].save_model(request, account, form=None, change=False)

    assert not SchedulerAccount.objects.exists()


def test_charlie_cannot_create_an_account_for_shop_a(client, charlie, shop_a):
    client.force_login(charlie)

    response = client.post(ADD, add_form(shop_a))

    assert response.status_code == 200
    assert "shop" in response.context["adminform"].form.errors
    assert not SchedulerAccount.objects.exists()


def test_a_superuser_sees_every_shops_accounts(client, account_a, account_b):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(root)

    listing = client.get(LIST)

    assert {a.pk for a in listing.context["cl"].queryset} == {account_a[0].pk, account_b[0].pk}
