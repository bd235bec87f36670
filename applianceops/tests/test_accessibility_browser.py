"""axe-core over every page of the product, the admin included, on a 360 px phone and a 1280 px
laptop: no serious or critical finding.

axe-core comes from the axe-playwright-python package (requirements-dev.txt), which ships
axe.min.js inside the wheel: nothing is fetched at test time. Each page is visited as the person
who uses it (a customer, a partner's agent, a dispatcher, an owner, the platform's superuser),
in the state that shows the most of it (messages, errors, a blackout row, a new key).
A screenshot of each page is kept under artifacts/a11y/.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from io import StringIO

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from applianceops.tests.helpers import ARTIFACTS
from booking.models import Booking
from booking.self_service import self_service_token
from booking.services import booking_set_status
from booking.views import confirmation_url
from schedulerAccounts.models import SchedulerAccount
from tenants.models import BlackoutDate, Shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}
VIEWPORTS = {"phone": (360, 780), "laptop": (1280, 900)}
SLUG = "done-right-appliance"

Visit = Callable  # (page, base_url) -> None: go to the page and bring it to the state checked


def goto(path: str) -> Visit:
    def visit(page, base):
        page.goto(base + path)

    return visit


def then_click(path: str, button: str, *, confirm: bool = False) -> Visit:
    """Open `path`, press a button named `button` (or matching it, a CSS selector with a
    space): a form that comes back with its messages or errors."""

    def visit(page, base):
        page.goto(base + path)
        if confirm:
            page.once("dialog", lambda dialog: dialog.accept())
        if " " in button and button[0] in "#.[fbm":
            page.locator(button).first.click()
        else:
            page.get_by_role("button", name=button, exact=True).first.click()
        page.wait_for_load_state()

    return visit


@pytest.fixture
def demo(live_server):
    """The demo shop with its week of bookings, a blackout date, a superuser; returns facts."""
    call_command("seed_demo", "--quiet", stdout=StringIO())
    shop = Shop.objects.get(slug=SLUG)
    today = shop.today()
    BlackoutDate.objects.create(
        settings=shop.booking_settings, date=today + dt.timedelta(days=20), reason="Inventory"
    )
    get_user_model().objects.create_superuser("root", "root@example.com", "root-pass-12345")
    upcoming = Booking.objects.filter(shop=shop, scheduled_date__gt=today).order_by(
        "scheduled_date", "scheduled_time"
    )
    customer, cancelled = upcoming[0], upcoming[1]
    booking_set_status(booking=cancelled, status=Booking.Status.CANCELLED)
    return {
        "shop": shop,
        "booking": customer,
        "token": self_service_token(customer),
        "confirmation": confirmation_url(customer),
        "account": SchedulerAccount.objects.get(shop=shop),
        "partner_booking": Booking.objects.holding_seats()
        .filter(account__shop=shop, scheduled_date__gt=today)
        .first(),
        "today": today,
    }


def pages(demo) -> dict[str, list[tuple[str, Visit]]]:
    """Every page, by who opens it."""
    token, booking, shop = demo["token"], demo["booking"], demo["shop"]
    today = demo["today"]
    bookings = "/admin/booking/booking/"
    calendar = f"{bookings}calendar/?view="
    settings_page = f"/admin/tenants/bookingsettings/{shop.booking_settings.pk}/change/"
    accounts = "/admin/scheduler_accounts/scheduleraccount/"
    account_page = f"{accounts}{demo['account'].pk}/change/"
    move = f"/scheduler/bookings/{demo['partner_booking'].pk}/reschedule"
    return {
        "customer": [
            ("landing", goto("/")),
            ("booking-page", goto(f"/book/{SLUG}")),
            ("booking-page-errors", then_click(f"/book/{SLUG}", "main form button[type=submit]")),
            ("confirmation", goto(demo["confirmation"])),
            ("self-service", goto(f"/b/{token}/")),
            ("self-service-reschedule", goto(f"/b/{token}/reschedule")),
            ("self-service-cancel", goto(f"/b/{token}/cancel")),
            (
                "self-service-cancelled",
                then_click(f"/b/{token}/cancel", "main form button[type=submit]"),
            ),
            ("self-service-gone", goto("/b/not-a-token/")),
            ("not-found", goto("/no-such-page")),
            ("api-docs", goto("/api/docs")),
            ("portal-login", goto("/scheduler-login.html")),
            ("portal-login-errors", then_click("/scheduler-login.html", "Sign in")),
            ("admin-login", goto("/admin/login/")),
        ],
        "partner": [
            ("portal-home", goto("/scheduler/")),
            ("portal-home-errors", then_click("/scheduler/", "Book")),
            ("portal-bookings", goto("/scheduler/bookings")),
            ("portal-move", goto(move)),
            ("portal-move-errors", then_click(move, "Move booking")),
            ("portal-api-key", goto("/scheduler/api-key")),
            ("portal-report", goto("/scheduler/report")),
            (
                "portal-new-key",
                then_click("/scheduler/api-key", "Rotate the key", confirm=True),
            ),
            ("portal-signed-out", then_click("/scheduler/", "Sign out")),
        ],
        "dispatcher": [
            ("admin-today", goto("/admin/")),
            ("calendar-day", goto(f"{calendar}day&date={today}")),
            ("calendar-week", goto(f"{calendar}week&date={today}")),
            ("calendar-month", goto(f"{calendar}month&date={today}")),
            ("bookings-list", goto(bookings)),
            ("booking-page-admin", goto(f"{bookings}{booking.pk}/change/")),
            ("booking-add", goto(f"{bookings}add/?scheduled_date={today}")),
            ("booking-add-errors", then_click(f"{bookings}add/", "Save")),
            ("email-log", goto("/admin/booking/notification/")),
            ("bookings-by-source", goto(f"{bookings}sources/")),
            ("owners-only", goto("/admin/tenants/bookingsettings/")),
            ("password-change", goto("/admin/password_change/")),
        ],
        "owner": [
            ("online-booking-settings", goto(settings_page)),
            ("memberships", goto("/admin/tenants/membership/")),
            ("membership-add", goto("/admin/tenants/membership/add/")),
            ("scheduler-accounts", goto(accounts)),
            ("scheduler-account", goto(account_page)),
            ("scheduler-account-add", goto(f"{accounts}add/")),
            (
                "scheduler-account-new-key",
                then_click(account_page, "Issue new API key", confirm=True),
            ),
            ("admin-app-settings", goto("/admin/tenants/")),
            ("partner-test-bookings", goto("/admin/booking/partnertestbooking/")),
        ],
        "root": [
            ("shops", goto("/admin/tenants/shop/")),
            ("shop", goto(f"/admin/tenants/shop/{shop.pk}/change/")),
            ("users", goto("/admin/auth/user/")),
        ],
    }


LOGINS = {"partner": "partner", "dispatcher": "dispatcher", "owner": "owner", "root": "root"}


def signed_in(context, base: str, role: str) -> None:
    """Give the browser the session of `role`'s login (no sign-in form: that is a page too)."""
    if role not in LOGINS:
        return
    client = Client()
    client.force_login(get_user_model().objects.get(username=LOGINS[role]))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base}])


def serious_findings(page) -> list[str]:
    results = Axe().run(page).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at "
        + ", ".join(" ".join(node["target"]) for node in v["nodes"][:4])
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_page_has_a_serious_or_critical_axe_finding(browser, live_server, demo, viewport):
    width, height = VIEWPORTS[viewport]
    folder = ARTIFACTS / "a11y"
    folder.mkdir(parents=True, exist_ok=True)
    findings: dict[str, list[str]] = {}
    checked = 0
    for role, visits in pages(demo).items():
        context = browser.new_context(
            viewport={"width": width, "height": height}, is_mobile=viewport == "phone"
        )
        signed_in(context, live_server.url, role)
        page = context.new_page()
        for name, visit in visits:
            visit(page, live_server.url)
            page.screenshot(path=str(folder / f"{name}-{width}.png"), full_page=True)
            found = serious_findings(page)
            if found:
                findings[f"{name} ({page.url})"] = found
            checked += 1
        context.close()

    report = "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in findings.items())
    assert not findings, f"serious or critical axe findings at {width} px:\n{report}"
    assert checked >= 40
