import pytest

from applianceops.tests.helpers import screenshot


@pytest.mark.browser
def test_the_landing_page_links_the_demo_booking_page(live_server, phone_page):
    phone_page.goto(live_server.url + "/")

    link = phone_page.get_by_role("link", name="Book a repair with the demo shop")
    assert link.get_attribute("href") == "/book/done-right-appliance"
    screenshot(phone_page, "landing-phone")
