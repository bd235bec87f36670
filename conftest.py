"""Every fixture of the suite, in one place.

The fixed cast: Alice owns shop A, Bob dispatches for shop A, Charlie owns shop B; partner
accounts at each shop; the clock; browser pages; the project under gunicorn. Plain functions
live in each app's tests/helpers.py (applianceops/tests/helpers.py for those that know no app).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from rest_framework.test import APIClient

from applianceops.tests.helpers import HOW_TO_GET_CHROMIUM, find_chromium, gunicorn_serving
from booking import facts
from booking.tests.helpers import MONDAY, at_shop, next_working_day
from schedulerAccounts.tests.helpers import scheduler_account
from tenants.models import Membership
from tenants.tests.factories import MembershipFactory, ShopFactory, UserFactory
from webhooks.tests.helpers import start_receiver


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache, and shops' facts in this process's copies
    # (booking/facts.py): every test starts with a clean slate, so its statements are its own.
    cache.clear()
    facts.forget_copies()
    yield
    cache.clear()
    facts.forget_copies()


@pytest.fixture(autouse=True)
def _demo_key_file(settings, tmp_path):
    # seed_demo keeps the demo partner's key in a file: never the developer's own.
    settings.DEMO_PARTNER_KEY_FILE = str(tmp_path / "demo-partner-key")


@pytest.fixture
def shop_a(db):
    return ShopFactory(name="Done Right Appliance", slug="done-right-appliance")


@pytest.fixture
def shop_b(db):
    return ShopFactory(name="Fix It Fast", slug="fix-it-fast", time_zone="America/New_York")


@pytest.fixture
def day(shop_a):
    """A working day of shop A three days ahead: bookable, and not today."""
    return next_working_day(shop_a, days_ahead=3)


def _member(username: str, shop, role: str):
    return MembershipFactory(user=UserFactory(username=username), shop=shop, role=role).user


@pytest.fixture
def alice(shop_a):
    return _member("alice", shop_a, Membership.Role.OWNER)


@pytest.fixture
def bob(shop_a):
    return _member("bob", shop_a, Membership.Role.DISPATCHER)


@pytest.fixture
def charlie(shop_b):
    return _member("charlie", shop_b, Membership.Role.OWNER)


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
    # Newest first: each patcher restores what it replaced, which may be an older freeze.
    for patcher in reversed(patchers):
        patcher.stop()


@pytest.fixture
def monday_morning(freeze_now, shop_a):
    """06:00 on MONDAY at shop A: the admin tests' fixed week starts today."""
    return freeze_now(at_shop(shop_a, MONDAY, 6))


# --- Partner accounts -----------------------------------------------------------------------
# Each is (account, plaintext key), with the portal login "<tag>-agent" and PORTAL_PASSWORD.


@pytest.fixture
def account_a(shop_a):
    return scheduler_account(shop_a, "Acme Warranty", "acme")


@pytest.fixture
def account_b(shop_b):
    return scheduler_account(shop_b, "Best Home", "best")


@pytest.fixture
def account_a2(shop_a):
    """A second partner of shop A: its bookings are none of account_a's business."""
    return scheduler_account(shop_a, "Other Partner", "other")


# --- gunicorn -------------------------------------------------------------------------------


@pytest.fixture
def gunicorn(transactional_db):
    """gunicorn(workers=2, options=(), **env) -> base URL: the project served by real gunicorn
    worker processes on this test's database (hence transactional: they see committed rows)
    and the test's Redis, with `env` on top. Stopped when the test ends."""
    database = connection.settings_dict
    if database["ENGINE"].endswith("sqlite3"):
        database_url = f"sqlite:///{database['NAME']}"
    else:
        auth = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
        host, port = database["HOST"] or "127.0.0.1", database["PORT"] or 5432
        database_url = f"postgres://{auth}@{host}:{port}/{database['NAME']}"
    servers = contextlib.ExitStack()

    def start(*, workers: int = 2, options: tuple[str, ...] = (), **env: str) -> str:
        base_env = {"DATABASE_URL": database_url, "REDIS_URL": settings.REDIS_URL or ""}
        return servers.enter_context(
            gunicorn_serving(base_env | env, workers=workers, options=options)
        )

    with servers:
        yield start


# --- Browser tests --------------------------------------------------------------------------
# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the
# live_server fixture would otherwise refuse to run "in an async context".
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

_chromium = pytest.StashKey[str]()
_browser_note = pytest.StashKey[str]()


def _is_browser_test(item: pytest.Item) -> bool:
    return item.get_closest_marker("browser") is not None or "browser" in getattr(
        item, "fixturenames", ()
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Find a Chromium once. Without one the browser tests are left out, with one line that
    says how to get one, and the rest of the suite runs; CI sets REQUIRE_BROWSER=1 to fail."""
    browser_tests = [item for item in items if _is_browser_test(item)]
    if not browser_tests:
        return
    chromium = find_chromium()
    wanted = os.environ.get("PLAYWRIGHT_CHROMIUM")
    not_wanted = f"PLAYWRIGHT_CHROMIUM={wanted} is not an executable" if wanted else ""
    if chromium:
        config.stash[_chromium] = chromium
        if not_wanted and chromium != wanted:
            config.stash[_browser_note] = f"{not_wanted}: the browser tests use {chromium}"
        return
    missing = "no Chromium found" + (f" ({not_wanted})" if not_wanted else "")
    if os.environ.get("REQUIRE_BROWSER") == "1":
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 and {missing}: {HOW_TO_GET_CHROMIUM}.")
    tests, them = ("test", "it") if len(browser_tests) == 1 else ("tests", "them")
    config.stash[_browser_note] = (
        f"{len(browser_tests)} browser {tests} skipped, {missing}: to run {them}, "
        f"{HOW_TO_GET_CHROMIUM}."
    )
    config.hook.pytest_deselected(items=browser_tests)
    items[:] = [item for item in items if not _is_browser_test(item)]


def pytest_report_collectionfinish(config: pytest.Config) -> str | None:
    return config.stash.get(_browser_note, None)


@pytest.fixture(scope="session")
def browser(pytestconfig):
    """A Chromium driven by Playwright: $PLAYWRIGHT_CHROMIUM, Debian's, or Playwright's own."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=pytestconfig.stash[_chromium],
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
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


# --- Webhooks -------------------------------------------------------------------------------


@pytest.fixture
def webhook_receiver(settings):
    """A partner's HTTP server on 127.0.0.1 (webhooks/tests/helpers.py), local targets allowed."""
    settings.WEBHOOK_ALLOW_LOCAL = True
    receiver, server = start_receiver()
    yield receiver
    server.shutdown()
    server.server_close()
