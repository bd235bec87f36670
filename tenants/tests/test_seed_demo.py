"""manage.py seed_demo: the demo shop and its logins, as often as you like."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from tenants.access import is_owner
from tenants.models import Membership, Shop

pytestmark = pytest.mark.django_db


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_creates_the_demo_shop_with_an_owner_and_a_dispatcher():
    seed_demo()

    shop = Shop.objects.get(slug="done-right-appliance")
    assert shop.name == "Done Right Appliance"
    assert shop.time_zone == "America/Los_Angeles"
    assert "Lancaster CA" in shop.address
    assert shop.booking_settings.booking_enabled
    owner = authenticate(username="owner", password="demo-owner-pass")
    dispatcher = authenticate(username="dispatcher", password="demo-dispatch-pass")
    assert owner is not None and is_owner(owner, shop)
    assert dispatcher is not None and not is_owner(dispatcher, shop)
    assert Membership.objects.get(user=dispatcher).role == Membership.Role.DISPATCHER


def test_it_prints_the_logins_and_urls(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    output = seed_demo()

    assert "http://127.0.0.1:8000/book/done-right-appliance" in output
    assert "http://127.0.0.1:8000/admin/" in output
    assert "POST http://127.0.0.1:8000/api/booking/book" in output
    assert "http://127.0.0.1:8000/api/docs" in output
    assert "owner / demo-owner-pass" in output
    assert "dispatcher / demo-dispatch-pass" in output


def test_running_it_twice_changes_nothing():
    seed_demo()
    counts = (Shop.objects.count(), Membership.objects.count())

    output = seed_demo()

    assert (Shop.objects.count(), Membership.objects.count()) == counts == (1, 2)
    assert "Demo shop ready" in output
