"""Shops and their online-booking settings: defaults and validation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from booking.availability import schedule_of
from tenants.models import DEFAULT_APPLIANCE_TYPES, BookingSettings, Shop
from tenants.services import shop_create
from tenants.tests.factories import ShopFactory


def _errors(exc: pytest.ExceptionInfo) -> dict:
    return exc.value.message_dict


@pytest.mark.django_db
def test_a_new_shop_gets_the_contracts_defaults():
    shop = shop_create(name="Done Right Appliance", slug="done-right-appliance")
    settings = shop.booking_settings

    assert shop.time_zone == "America/Los_Angeles"
    assert shop.is_active is True
    assert settings.booking_enabled is True
    assert settings.jobs_per_start_time == 2
    assert schedule_of(settings).start_times() == [dt.time(h, 0) for h in range(8, 17)]
    assert settings.working_weekdays == [0, 1, 2, 3, 4]
    assert settings.min_notice_minutes == 120
    assert settings.horizon_days == 60
    assert settings.appliance_types == DEFAULT_APPLIANCE_TYPES
    assert settings.service_zip_codes == []
    assert settings.weekday_labels() == "Mon, Tue, Wed, Thu, Fri"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "slug", ["Done-Right", "done_right", "done right", "-done", "done-", "done--right", "dö"]
)
def test_a_slug_that_is_not_lowercase_and_url_safe_is_refused(slug):
    with pytest.raises(ValidationError) as exc:
        shop_create(name="Shop", slug=slug)

    assert "slug" in _errors(exc)
    assert not Shop.objects.exists()


@pytest.mark.django_db
def test_a_slug_is_unique():
    shop_create(name="One", slug="fix-it")

    with pytest.raises(ValidationError) as exc:
        shop_create(name="Two", slug="fix-it")

    assert "slug" in _errors(exc)


@pytest.mark.django_db
@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "PST8PDT-ish", "", "../etc/passwd"])
def test_a_time_zone_that_is_not_iana_is_refused(zone):
    shop = Shop(name="Shop", slug="shop", time_zone=zone)

    with pytest.raises(ValidationError) as exc:
        shop.full_clean()

    assert "time_zone" in _errors(exc)


@pytest.mark.django_db
def test_a_shop_knows_its_own_today(freeze_now):
    freeze_now(dt.datetime(2026, 3, 2, 6, 30, tzinfo=dt.UTC))
    west = ShopFactory(time_zone="America/Los_Angeles")
    east = ShopFactory(time_zone="Asia/Tokyo")

    assert west.today() == dt.date(2026, 3, 1)
    assert east.today() == dt.date(2026, 3, 2)


@pytest.mark.django_db
def test_inactive_shops_are_not_public():
    ShopFactory(slug="open-shop")
    ShopFactory(slug="closed-shop", is_active=False)

    assert list(Shop.objects.public().values_list("slug", flat=True)) == ["open-shop"]


@pytest.mark.django_db
def test_a_public_door_finds_an_active_shop_by_its_slug_in_any_case(django_assert_num_queries):
    shop = ShopFactory(slug="open-shop")
    ShopFactory(slug="closed-shop", is_active=False)

    with django_assert_num_queries(1):
        found = Shop.objects.public_by_slug("  Open-Shop ")
        assert found.booking_settings.jobs_per_start_time == 2, "settings come with the shop"

    assert found == shop
    assert Shop.objects.public_by_slug("closed-shop") is None
    assert Shop.objects.public_by_slug("no-such-shop") is None


def _settings(**values) -> BookingSettings:
    shop = ShopFactory()
    settings = shop.booking_settings
    for name, value in values.items():
        setattr(settings, name, value)
    return settings


@pytest.mark.django_db
def test_valid_settings_pass():
    _settings(
        first_start=dt.time(7, 0),
        last_start=dt.time(18, 0),
        working_weekdays=[0, 2, 5],
        service_zip_codes=["93534", "93535"],
        appliance_types=["Refrigerator", "Other"],
    ).full_clean()


@pytest.mark.django_db
def test_a_last_start_before_the_first_is_refused():
    settings = _settings(first_start=dt.time(12, 0), last_start=dt.time(9, 0))

    with pytest.raises(ValidationError) as exc:
        settings.full_clean()

    assert "last_start" in _errors(exc)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "field,value",
    [
        # Weekdays are numbers from Monday to Sunday.
        *(("working_weekdays", v) for v in ([7], [-1], ["mon"], "0,1,2", [1.5])),
        # Appliance types are a non-empty list of names.
        *(("appliance_types", v) for v in ([], ["Fridge", ""], "Refrigerator", [3])),
        # Service ZIP codes are five digits.
        *(
            ("service_zip_codes", v)
            for v in (["9353"], ["93534-1234"], ["ABCDE"], "93534", [93534])
        ),
        # Numbers stay inside their range.
        ("jobs_per_start_time", 0),
        ("jobs_per_start_time", 51),
        ("minutes_between_starts", 10),
        ("horizon_days", 0),
        ("horizon_days", 366),
        ("min_notice_minutes", 15 * 24 * 60),
    ],
)
def test_a_bad_value_is_refused_naming_its_field(field, value):
    settings = _settings(**{field: value})

    with pytest.raises(ValidationError) as exc:
        settings.full_clean()

    assert field in _errors(exc)


@pytest.mark.django_db
def test_blackout_dates_are_part_of_the_schedule():
    settings = _settings()
    settings.blackout_dates.create(date=dt.date(2026, 12, 25), reason="Christmas")

    assert schedule_of(settings).blackouts == frozenset({dt.date(2026, 12, 25)})
