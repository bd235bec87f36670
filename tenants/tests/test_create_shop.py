"""manage.py create_shop: a shop, its settings and optionally its owner login."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tenants.models import Membership, Shop
from tenants.tests.factories import ShopFactory, UserFactory

pytestmark = pytest.mark.django_db


def create_shop(*args: str) -> str:
    out = StringIO()
    call_command("create_shop", *args, stdout=out)
    return out.getvalue()


def test_it_creates_a_shop_with_its_settings_and_owner():
    output = create_shop(
        "fix-it-fast",
        "--name",
        "Fix It Fast",
        "--timezone",
        "America/New_York",
        "--jobs-per-start-time",
        "3",
        "--weekdays",
        "mon,wed,sat",
        "--owner",
        "frank",
        "--owner-password",
        "a-long-owner-pass-42",
    )

    shop = Shop.objects.get(slug="fix-it-fast")
    assert shop.name == "Fix It Fast"
    assert shop.time_zone == "America/New_York"
    assert shop.booking_settings.jobs_per_start_time == 3
    assert shop.booking_settings.working_weekdays == [0, 2, 5]
    frank = get_user_model().objects.get(username="frank")
    assert frank.check_password("a-long-owner-pass-42")
    assert frank.is_staff
    assert Membership.objects.get(user=frank, shop=shop).role == Membership.Role.OWNER
    assert "Created shop Fix It Fast (fix-it-fast)" in output
    assert "/book/fix-it-fast" in output
    assert "Owner login: frank" in output


def test_without_options_it_uses_the_defaults():
    create_shop("plain-shop", "--name", "Plain Shop")

    shop = Shop.objects.get(slug="plain-shop")
    assert shop.time_zone == "America/Los_Angeles"
    assert shop.booking_settings.jobs_per_start_time == 2
    assert shop.booking_settings.working_weekdays == [0, 1, 2, 3, 4]
    assert not Membership.objects.exists()


def test_a_taken_slug_is_refused():
    ShopFactory(slug="fix-it-fast", name="Original")

    with pytest.raises(CommandError, match="The slug 'fix-it-fast' is taken"):
        create_shop("fix-it-fast", "--name", "Impostor")

    assert Shop.objects.get().name == "Original"


SLUG_RULE = "slug: Use lowercase letters, digits and single hyphens"


@pytest.mark.parametrize(
    "args, refusal",
    [
        # A bad slug is refused with the rule.
        (["Fix It", "--name", "Fix It"], SLUG_RULE),
        (["fix_it", "--name", "Fix It"], SLUG_RULE),
        (["fix--it", "--name", "Fix It"], SLUG_RULE),
        (
            ["fix-it", "--name", "Fix It", "--timezone", "Mars/Base"],
            "time_zone: Mars/Base is not an IANA time zone",
        ),
        (
            ["fix-it", "--name", "Fix It", "--owner", "frank"],
            "--owner and --owner-password go together",
        ),
        (["fix-it", "--name", "Fix It", "--weekdays", "mon,fri-ish"], "'fri-ish' is not a weekday"),
        (["fix-it", "--name", "Fix It", "--jobs-per-start-time", "0"], "jobs_per_start_time"),
    ],
)
def test_a_bad_option_is_refused_saying_why_and_makes_no_shop(args, refusal):
    with pytest.raises(CommandError, match=refusal):
        create_shop(*args)

    assert not Shop.objects.exists()


def test_a_taken_owner_username_leaves_no_shop_behind():
    UserFactory(username="frank")

    with pytest.raises(CommandError, match="The username 'frank' is taken"):
        create_shop(
            "fix-it", "--name", "Fix It", "--owner", "frank", "--owner-password", "long-pass-4242"
        )

    assert not Shop.objects.exists()


def test_weekdays_may_be_spelled_out():
    create_shop("fix-it", "--name", "Fix It", "--weekdays", "Monday, tue,SATURDAY")

    assert Shop.objects.get().booking_settings.working_weekdays == [0, 1, 5]
