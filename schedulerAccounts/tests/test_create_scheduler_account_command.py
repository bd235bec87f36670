from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from schedulerAccounts.keys import hash_key
from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import scheduler_account_for_key
from schedulerAccounts.tests.helpers import portal_login
from webhooks.models import ALL_EVENTS, WebhookEndpoint


def run(*args) -> list[str]:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue().strip().splitlines()


def test_it_creates_an_account_and_prints_a_working_key_once_on_the_last_line(shop_a):
    lines = run(
        "create_scheduler_account",
        shop_a.slug,
        "Acme Warranty",
        "--requests-per-hour",
        "2000",
        "--bookings-per-hour",
        "300",
        "--source",
        "acme",
        "--username",
        "acme-agent",
        "--password",
        "correct-horse-battery",
    )

    key = lines[-1]
    account = SchedulerAccount.objects.get()
    assert scheduler_account_for_key(key) == account
    assert account.key_hash == hash_key(key)
    assert sum(key in line for line in lines) == 1
    assert (account.shop, account.name, account.source_tag) == (shop_a, "Acme Warranty", "acme")
    assert (account.requests_per_hour, account.bookings_per_hour) == (2000, 300)
    assert portal_login(account).username == "acme-agent"
    assert portal_login(account).is_staff is False
    assert portal_login(account).check_password("correct-horse-battery")


def test_the_defaults_are_well_above_the_public_limits_and_the_tag_comes_from_the_name(shop_a):
    run("create_scheduler_account", shop_a.slug, "Acme Warranty")

    account = SchedulerAccount.objects.get()
    assert (account.requests_per_hour, account.bookings_per_hour) == (1000, 200)
    assert account.source_tag == "acme-warranty"
    assert not account.agents.exists()


def test_an_unknown_slug_is_refused(db):
    with pytest.raises(CommandError, match="No shop has the slug"):
        run("create_scheduler_account", "nowhere", "Acme")


def test_a_username_without_a_password_is_refused(shop_a):
    with pytest.raises(CommandError, match="go together"):
        run("create_scheduler_account", shop_a.slug, "Acme", "--username", "acme-agent")
    assert not SchedulerAccount.objects.exists()


def test_a_weak_password_is_refused_and_nothing_is_created(shop_a):
    with pytest.raises(CommandError, match="password"):
        run(
            "create_scheduler_account",
            shop_a.slug,
            "Acme",
            "--username",
            "acme-agent",
            "--password",
            "123",
        )
    assert not SchedulerAccount.objects.exists()
    assert not get_user_model().objects.filter(username="acme-agent").exists()


def test_a_zero_limit_is_refused(shop_a):
    with pytest.raises(CommandError, match="requests_per_hour"):
        run("create_scheduler_account", shop_a.slug, "Acme", "--requests-per-hour", "0")


def test_seed_demo_gives_the_demo_shop_a_partner_with_a_working_key(db):
    key = run("seed_demo")[-1]

    account = SchedulerAccount.objects.get(shop__slug="done-right-appliance")
    assert scheduler_account_for_key(key) == account
    assert portal_login(account).username == "partner"


def test_webhook_urls_get_endpoints_for_every_event_and_their_secrets_print_once(
    shop_a, webhook_receiver
):
    urls = [webhook_receiver.url + "/one", webhook_receiver.url + "/two"]
    lines = run(
        "create_scheduler_account",
        shop_a.slug,
        "Acme Warranty",
        *sum((["--webhook-url", url] for url in urls), []),
    )

    account = SchedulerAccount.objects.get()
    hooks = list(account.webhook_endpoints.order_by("url"))
    assert [hook.url for hook in hooks] == urls
    assert all(hook.events == ALL_EVENTS and hook.shop == shop_a for hook in hooks)
    for hook in hooks:
        assert hook.secret.startswith("whsec_")
        assert sum(hook.secret in line for line in lines) == 1
        assert f"Webhook {hook.url}: all events; signing secret (shown once):" in lines
    assert scheduler_account_for_key(lines[-1]) == account


def test_a_refused_webhook_url_creates_nothing(shop_a, settings):
    settings.WEBHOOK_ALLOW_LOCAL = False
    with pytest.raises(CommandError, match="--webhook-url: .*must start with https://"):
        run(
            "create_scheduler_account",
            shop_a.slug,
            "Acme Warranty",
            "--webhook-url",
            "http://10.0.0.5/hooks",
        )
    assert not SchedulerAccount.objects.exists()
    assert not WebhookEndpoint.objects.exists()
