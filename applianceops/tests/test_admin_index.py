from __future__ import annotations

import datetime as dt

import pytest

from booking.tests.helpers import MONDAY, book
from tenants.models import Shop

URL = "/admin/"
pytestmark = pytest.mark.usefixtures("monday_morning")


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


def test_a_superuser_without_a_shop_starts_on_the_first_shops_day(client, admin_user, todays):
    client.force_login(admin_user)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Today at Done Right Appliance" in html and "Jane Today" in html
    assert "/admin/tenants/shop/" in html


def test_a_superuser_before_any_shop_exists_gets_the_app_list(client, django_user_model):
    root = django_user_model.objects.create_superuser("root", password="x")
    Shop.objects.all().delete()
    client.force_login(root)

    response = client.get(URL)

    assert response.status_code == 200
    assert response.context["today_schedule"] is None
    assert "/admin/tenants/shop/add/" in response.content.decode()


def test_a_staff_user_of_no_shop_gets_an_empty_page_not_an_error(client, django_user_model, todays):
    loner = django_user_model.objects.create_user("loner", password="x", is_staff=True)
    client.force_login(loner)

    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Today at" not in html and "Jane Today" not in html
    assert "/admin/booking/" not in html, "no links that would be a 403"
    assert "Your login is not part of any shop" in html


def test_a_signed_in_customer_who_is_not_staff_is_sent_to_log_in(client, django_user_model, todays):
    client.force_login(django_user_model.objects.create_user("jane", password="x"))

    response = client.get(URL)

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
