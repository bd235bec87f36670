"""The fixed cast: Alice owns shop A, Bob dispatches for shop A, Charlie owns shop B."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from unittest import mock

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tenants.models import Membership
from tenants.tests.factories import MembershipFactory, ShopFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; every test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shop_a(db):
    return ShopFactory(name="Done Right Appliance", slug="done-right-appliance")


@pytest.fixture
def shop_b(db):
    return ShopFactory(name="Fix It Fast", slug="fix-it-fast", time_zone="America/New_York")


@pytest.fixture
def alice(shop_a):
    return MembershipFactory(
        user=UserFactory(username="alice"), shop=shop_a, role=Membership.Role.OWNER
    ).user


@pytest.fixture
def bob(shop_a):
    return MembershipFactory(
        user=UserFactory(username="bob"), shop=shop_a, role=Membership.Role.DISPATCHER
    ).user


@pytest.fixture
def charlie(shop_b):
    return MembershipFactory(
        user=UserFactory(username="charlie"), shop=shop_b, role=Membership.Role.OWNER
    ).user


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def freeze_now():
    """freeze_now(aware_datetime): pin django.utils.timezone.now for the rest of the test."""
    patchers = []

    def _freeze(moment: dt.datetime):
        patcher = mock.patch("django.utils.timezone.now", return_value=moment)
        patcher.start()
        patchers.append(patcher)
        return moment

    yield _freeze
    # Last started, first stopped: each patcher restores what the one before it installed.
    for patcher in reversed(patchers):
        patcher.stop()


def next_working_day(shop, *, days_ahead: int = 1) -> dt.date:
    """The first Monday-Friday at least `days_ahead` days after the shop's today."""
    day = shop.today() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


# --- Browser tests ------------------------------------------------------------------------
# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
# live_server fixture would otherwise refuse to run "in an async context".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (its own browser download does not work here)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def phone_page(browser):
    """A page at a 360px-wide phone viewport, with JavaScript on."""
    context = browser.new_context(viewport={"width": 360, "height": 780}, is_mobile=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    yield context.new_page()
    context.close()


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under artifacts/ for a person to look at."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
