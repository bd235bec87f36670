"""A refused admin page is a page in the admin's look that says why, with a way back."""

from __future__ import annotations

from html import unescape

import pytest

SETTINGS = "/admin/tenants/bookingsettings/"
ACCOUNTS = "/admin/scheduler_accounts/scheduleraccount/"


@pytest.mark.parametrize(
    "url, page_name",
    [
        (SETTINGS, "online booking settings"),
        (ACCOUNTS, "scheduler accounts"),
        (f"{ACCOUNTS}add/", "scheduler accounts"),
        ("/admin/tenants/membership/", "memberships"),
    ],
)
def test_a_dispatcher_is_told_an_owners_page_is_for_owners(client, bob, url, page_name):
    client.force_login(bob)

    response = client.get(url)

    html = unescape(response.content.decode())
    assert response.status_code == 403
    assert "<title>For the shop's owners | ApplianceOps</title>" in html
    assert f"The {page_name} page is for the shop's owners" in html
    assert 'id="site-name"' in html  # the admin's header
    assert '<a href="/admin/">Back to today\'s schedule</a>' in html
    assert 'href="/admin/booking/booking/calendar/"' in html


def test_a_dispatcher_opening_their_own_shops_settings_by_address_gets_the_same_page(
    client, bob, shop_a, account_a
):
    account, _ = account_a
    client.force_login(bob)

    for url in [
        f"{SETTINGS}{shop_a.booking_settings.pk}/change/",
        f"{ACCOUNTS}{account.pk}/change/",
    ]:
        response = client.get(url)
        assert response.status_code == 403
        assert "is for the shop's owners" in unescape(response.content.decode())


def test_another_shops_settings_stay_not_found(client, charlie, shop_a, account_a):
    client.force_login(charlie)

    assert client.get(f"{SETTINGS}{shop_a.booking_settings.pk}/change/").status_code == 404
    assert client.get(f"{ACCOUNTS}{account_a[0].pk}/change/").status_code == 404


def test_a_page_nobody_of_a_shop_opens_is_refused_without_blaming_the_role(client, alice):
    client.force_login(alice)

    response = client.get("/admin/tenants/shop/")

    html = unescape(response.content.decode())
    assert response.status_code == 403
    assert "Not for your login" in html and "for the shop's owners" not in html
    assert "Back to today's schedule" in html


def test_a_refusal_outside_the_admin_is_the_sites_page(client, bob, shop_a):
    from booking.tests.helpers import form_data, page_url

    client.handler.enforce_csrf_checks = True
    response = client.post(page_url(shop_a), form_data(shop_a))

    assert response.status_code == 403
    assert "ApplianceOps" in unescape(response.content.decode())
