"""The technician's day on a 360 px phone without JavaScript: readable, big taps, Done works."""

from __future__ import annotations

import datetime as dt

import pytest

from applianceops.tests.helpers import does_not_fit, screenshot
from booking.models import Booking
from booking.tests.helpers import MONDAY, at_shop, book
from technicians.links import day_path, day_url
from technicians.tests.helpers import ann_of

pytestmark = pytest.mark.browser


@pytest.fixture
def phone_without_javascript(browser):
    context = browser.new_context(
        viewport={"width": 360, "height": 780},
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    yield context.new_page()
    context.close()


def test_a_technician_reads_their_day_and_taps_done_on_a_phone(
    live_server, transactional_db, shop_a, freeze_now, phone_without_javascript
):
    freeze_now(at_shop(shop_a, MONDAY, 6))
    ann = ann_of(shop_a)
    first = book(
        shop_a,
        MONDAY,
        dt.time(9),
        technician=ann,
        name="Maria Lopez-Hernandez",
        address="44916 Date Avenue, Apartment 12B, Lancaster CA 93534",
        issue="Not cooling; the freezer is fine but the fridge side is warm since Tuesday night.",
        work_order_number="WO-2026-000123456",
        claim_number="AHS-CLAIM-99887766",
        authorization_number="AUTH-55-4433",
    )
    book(shop_a, MONDAY, dt.time(13), technician=ann, appliance="Dryer", issue="No heat.")
    page = phone_without_javascript

    page.goto(live_server.url + day_path(ann))

    screenshot(page, "technician-day-phone")
    assert page.locator(".td-job").count() == 2
    assert page.locator(".td-customer").first.inner_text() == "Maria Lopez-Hernandez"
    # Every link and button a thumb taps is big enough and on the screen.
    taps = ".td-navlink, .td-button"
    assert page.locator(taps).count() == 2 + 2 * 4, (
        "previous and next day; call, map, on my way, done"
    )
    assert does_not_fit(page, taps) == []
    body_size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert body_size >= 16

    page.locator(f"#job-{first.pk}").get_by_role("button", name="Done").click()

    page.wait_for_load_state()
    screenshot(page, "technician-day-phone-done")
    assert "Done: Maria Lopez-Hernandez" in page.locator(".td-messages").inner_text()
    assert page.locator(f"#job-{first.pk} .td-badge").inner_text() == "Done"
    assert page.locator(f"#job-{first.pk} button").count() == 0
    assert Booking.objects.get(pk=first.pk).status == Booking.Status.COMPLETED


def test_the_owner_reissues_the_links_from_the_technicians_page_on_a_phone(
    live_server, transactional_db, alice, shop_a, phone_page
):
    ann = ann_of(shop_a)
    old_link = day_url(ann)
    alice.set_password("owner-pass-123")
    alice.save()
    page = phone_page
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "owner-pass-123")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/technicians/technician/{ann.pk}/change/")

    assert page.locator(f'a[href="{old_link}"]').is_visible()
    assert does_not_fit(page) == []
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Reissue day link and feed").click()

    page.wait_for_load_state()
    screenshot(page, "technician-admin-links-phone")
    ann.refresh_from_db()
    assert page.locator(f'a[href="{day_url(ann)}"]').is_visible()
    assert day_url(ann) != old_link
    assert "the old ones no longer work" in page.locator(".messagelist").inner_text()
