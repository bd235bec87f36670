"""The fixed cast: Alice owns shop A, Bob dispatches for shop A, Charlie owns shop B."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tenants.models import Membership
from tenants.tests.factories import MembershipFactory, ShopFactory, UserFactory


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; every test starts with a clean slate.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def shop_a(db):
    return ShopFactory(name="Done Right Appliance", slug="done-right-appliance")


@pytest.fixture
def shop_b(db):
    return ShopFactory(name="Fix It Fast", slug="fix-it-fast", time_zone="America/New_York")


@pytest.fixture
def alice(shop_a):
    return MembershipFactory(
        user=UserFactory(username="alice"), shop=shop_a, role=Membership.Role.OWNER
    ).user


@pytest.fixture
def bob(shop_a):
    return MembershipFactory(
        user=UserFactory(username="bob"), shop=shop_a, role=Membership.Role.DISPATCHER
    ).user


@pytest.fixture
def charlie(shop_b):
    return MembershipFactory(
        user=UserFactory(username="charlie"), shop=shop_b, role=Membership.Role.OWNER
    ).user


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
    for patcher in patchers:
        patcher.stop()


def next_working_day(shop, *, days_ahead: int = 1) -> dt.date:
    """The first Monday-Friday at least `days_ahead` days after the shop's today."""
    day = shop.today() + dt.timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day
