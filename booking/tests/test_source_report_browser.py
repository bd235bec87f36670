"""Bookings by source in a real browser: the owner's admin page and its CSV, a partner's
portal page on a phone. Screenshots land in artifacts/."""

from __future__ import annotations

import datetime as dt

import pytest

from applianceops.tests.helpers import does_not_fit, screenshot
from booking.models import Booking
from booking.services import booking_cancel
from booking.tests.helpers import book, fill_starts, next_working_day
from schedulerAccounts.tests.helpers import PORTAL_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def weeks_of_bookings(shop_a, account_a):
    """Bookings made over three weeks from three sources; some cancelled, one moved."""
    today = shop_a.today()
    day = next_working_day(shop_a, days_ahead=2)
    fill_starts(shop_a, day, hours=[8])
    made = []
    for weeks_ago, source, count in [(2, "yelp", 3), (1, "yelp", 5), (1, "acme", 2), (0, "web", 4)]:
        for n in range(count):
            booking = book(shop_a, day, "", source=source, name=f"{source.title()} {weeks_ago}{n}")
            made.append((booking, weeks_ago))
    moved = book(shop_a, day, "08:00", source="acme", name="Asked Eight", allow_overbook=False)
    made.append((moved, 0))
    for booking, weeks_ago in made:
        at = dt.datetime.combine(today - dt.timedelta(weeks=weeks_ago), dt.time(9), shop_a.tz)
        Booking.objects.filter(pk=booking.pk).update(created_at=at)
    Booking.objects.filter(source="acme").update(account=account_a[0])
    booking_cancel(booking=made[0][0])


def test_the_owner_reads_the_report_and_downloads_its_csv(
    live_server, desktop_page, alice, weeks_of_bookings
):
    alice.set_password("owner-pass-123")
    alice.save()
    page = desktop_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "owner-pass-123")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/")

    page.goto(f"{live_server.url}/admin/booking/booking/")
    page.get_by_role("link", name="Bookings by source").click()
    page.wait_for_url("**/sources/")
    screenshot(page, "admin-bookings-by-source")

    assert page.locator("svg[role=img] rect").count() == 5  # yelp; yelp, acme; web, acme
    by_source = page.locator("table.source-table", has_text="By source tag")
    assert "8 booked" in by_source.locator("tr", has_text="yelp").inner_text()
    assert "1 cancelled" in by_source.locator("tr", has_text="yelp").inner_text()
    acme = by_source.locator("tr", has_text="acme").inner_text()
    assert "3 booked" in acme and "1 at another time" in acme
    assert page.locator("table.source-table", has_text="Acme Warranty").count() == 1

    with page.expect_download() as download:
        page.get_by_role("link", name="Download CSV").click()
    text = open(download.value.path(), encoding="utf-8-sig").read()
    assert text.startswith("week,by,name,booked,cancelled,completed,landed at another time")
    assert ",source,acme,1,0,0,1" in text


def test_a_partner_agent_reads_its_own_report_on_a_phone(
    live_server, phone_page, account_a, weeks_of_bookings
):
    page = phone_page
    page.goto(live_server.url + "/scheduler-login.html")
    page.get_by_label("Username").fill("acme-agent")
    page.get_by_label("Password").fill(PORTAL_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Availability, next two weeks").wait_for()

    page.get_by_role("link", name="Report").click()
    page.get_by_role("heading", name="Our bookings by week").wait_for()
    screenshot(page, "portal-report-phone")

    rows = page.locator("table.source-table tbody tr")
    assert rows.count() == 1 and "acme" in rows.first.inner_text()
    assert "yelp" not in page.content()
    assert page.locator("svg[role=img] rect").count() == 2
    assert does_not_fit(page) == []
