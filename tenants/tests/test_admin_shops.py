from __future__ import annotations

from tenants.models import BookingSettings, Shop

LIST = "/admin/tenants/shop/"


def test_a_superuser_creates_a_shop_with_its_booking_settings(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        f"{LIST}add/",
        {
            "name": "Cool Breeze Repair",
            "slug": "cool-breeze",
            "is_active": "on",
            "time_zone": "America/Denver",
            "phone": "",
            "address": "",
            "notification_email": "",
            "_save": "Save",
        },
    )

    assert response.status_code == 302
    shop = Shop.objects.get(slug="cool-breeze")
    assert BookingSettings.objects.get(shop=shop).jobs_per_start_time == 2


def test_a_bad_time_zone_is_refused(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        f"{LIST}add/",
        {"name": "X", "slug": "x", "time_zone": "Mars/Olympus", "_save": "Save"},
    )

    assert "is not an IANA time zone" in response.content.decode()
    assert not Shop.objects.filter(slug="x").exists()


def test_shop_owners_and_dispatchers_do_not_manage_shops(client, alice, bob, charlie, shop_a):
    for user in (alice, bob, charlie):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
        assert client.get(f"{LIST}{shop_a.pk}/change/").status_code == 403
