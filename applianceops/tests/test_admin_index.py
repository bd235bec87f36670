from __future__ import annotations

import datetime as dt

import pytest

from booking.tests.admin_helpers import MONDAY, at_shop, book

URL = "/admin/"


@pytest.fixture(autouse=True)
def monday_morning(freeze_now, shop_a):
    freeze_now(at_shop(shop_a, MONDAY, 6))


@pytest.fixture
def todays(shop_a, shop_b):
    book(shop_a, MONDAY, "10:00", name="Jane Today", work_order_number="WO-7781")
    book(shop_a, MONDAY + dt.timedelta(days=1), "AM", name="Tom Tomorrow")
    book(shop_b, MONDAY, "13:00", name="Bea Other")


def test_the_admin_is_branded_and_opens_on_todays_schedule(client, bob, todays):
    client.force_login(bob)

    html = client.get(URL).content.decode()

    assert "<title>Today | ApplianceOps</title>" in html
    assert '<a href="/admin/">ApplianceOps</a>' in html
    assert "Today at Done Right Appliance: Monday, December 7" in html
    assert "Jane Today" in html and "WO-7781" in html
    assert "Tom Tomorrow" not in html and "Bea Other" not in html
    assert 'href="/admin/booking/booking/calendar/?shop=' in html


def test_the_app_list_follows_the_role(client, alice, bob, todays):
    client.force_login(bob)
    dispatcher = client.get(URL).content.decode()
    client.force_login(alice)
    owner = client.get(URL).content.decode()

    assert "/admin/booking/booking/" in dispatcher
    assert "/admin/tenants/bookingsettings/" not in dispatcher
    assert "/admin/tenants/membership/" not in dispatcher
    assert "/admin/tenants/bookingsettings/" in owner and "/admin/tenants/membership/" in owner
    assert "/admin/tenants/shop/" not in owner


def test_charlie_starts_on_his_own_shops_day(client, charlie, todays):
    client.force_login(charlie)

    html = client.get(URL).content.decode()

    assert "Today at Fix It Fast" in html and "Bea Other" in html
    assert "Jane Today" not in html


def test_the_login_page_is_branded(client):
    html = client.get("/admin/login/").content.decode()

    assert "ApplianceOps" in html and "Django administration" not in html
