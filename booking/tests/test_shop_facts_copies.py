"""A worker books from its copy of the shop's facts, and an owner's change holds all the same
(booking/facts.py). Two workers on gunicorn: test_owner_changes_across_workers.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from booking import facts
from booking.models import Booking
from booking.tests.helpers import contract_body, fill_starts, next_working_day, post_booking
from technicians.tests.helpers import hire
from tenants.models import BlackoutDate, Shop
from webhooks.models import WebhookEvent
from webhooks.tests.helpers import endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def day(shop_a):
    return next_working_day(shop_a, days_ahead=3)


@pytest.fixture
def worker(api_client, shop_a, day):
    """The API as one worker that has booked for shop A already: it holds a copy of the shop."""
    assert _book(api_client, shop_a, day).status_code == 201
    return api_client


def _book(client, shop, day: dt.date, **fields):
    return post_booking(client, contract_body(shop, scheduled_date=str(day), **fields))


def _statements(client, shop, day: dt.date, **fields) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as queries:
        response = _book(client, shop, day, **fields)
    return response.status_code, [query["sql"] for query in queries.captured_queries]


def test_a_worker_with_a_copy_books_without_reading_the_shop(worker, shop_a, day):
    status, statements = _statements(worker, shop_a, day, time_slot="PM")

    assert status == 201
    assert not [sql for sql in statements if sql.startswith("SELECT")]
    # The seat's guarded UPDATE is what checks the copy against the shop's row.
    [update] = [sql for sql in statements if sql.startswith("UPDATE")]
    assert '"tenants_shop"' in update and '"facts_version"' in update


def test_a_blackout_the_owner_adds_turns_away_the_next_booking_of_a_worker_with_a_copy(
    worker, shop_a, day
):
    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=day, reason="Closed")

    response = _book(worker, shop_a, day)

    assert response.status_code == 400
    assert response.json()["code"] == "no_availability"
    assert Booking.objects.filter(scheduled_date=day).count() == 1


def test_a_blackout_the_owner_removes_takes_bookings_again(api_client, shop_a, day):
    closed = BlackoutDate.objects.create(settings=shop_a.booking_settings, date=day)
    assert _book(api_client, shop_a, day).json()["code"] == "no_availability"

    closed.delete()

    assert _book(api_client, shop_a, day).status_code == 201


def test_a_refusal_read_off_an_old_copy_is_not_the_answer(worker, shop_a, day):
    # The worker's copy says "only 90210": the owner widens the area before the next booking.
    settings = shop_a.booking_settings
    settings.service_zip_codes = ["90210"]
    settings.save()
    assert _book(worker, shop_a, day).json()["code"] == "outside_service_area"

    settings.service_zip_codes = []
    settings.save()

    assert _book(worker, shop_a, day).status_code == 201


def test_an_owner_who_switches_booking_off_is_heard_by_a_worker_with_a_copy(worker, shop_a, day):
    settings = shop_a.booking_settings
    settings.booking_enabled = False
    settings.save()

    response = _book(worker, shop_a, day)

    assert response.status_code == 404
    assert response.json()["code"] == "booking_disabled"


def test_a_shop_switched_off_since_the_copy_answers_as_unknown(worker, shop_a, day):
    Shop.objects.filter(pk=shop_a.pk).update(is_active=False, facts_version=1)

    response = _book(worker, shop_a, day)

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_the_first_technician_the_owner_adds_takes_the_next_job_of_a_worker_with_a_copy(
    worker, shop_a, day
):
    ann = hire(shop_a, "Ann Lee", weekdays=range(7))

    response = _book(worker, shop_a, day)

    assert response.status_code == 201
    assert Booking.objects.get(pk=response.json()["booking_id"]).technician == ann


def test_a_webhook_the_owner_adds_hears_the_next_booking_of_a_worker_with_a_copy(
    worker, shop_a, day, settings
):
    settings.WEBHOOK_ALLOW_LOCAL = True
    endpoint(shop_a, "http://127.0.0.1:9/")

    response = _book(worker, shop_a, day)

    assert response.status_code == 201
    assert WebhookEvent.objects.filter(booking_id=response.json()["booking_id"]).count() == 1


def test_a_full_first_start_or_a_new_date_books_from_a_copy_all_the_same(worker, shop_a, day):
    fill_starts(shop_a, day + dt.timedelta(days=7), hours=[8])

    full_first, statements = _statements(worker, shop_a, day + dt.timedelta(days=7))
    new_date = _book(worker, shop_a, day + dt.timedelta(days=14))

    assert (full_first, new_date.status_code) == (201, 201)
    assert Booking.objects.filter(
        scheduled_date=day + dt.timedelta(days=7)
    ).get().scheduled_time == (dt.time(9))
    # The copy is checked against the shop's row before the long way, not read again.
    assert not [sql for sql in statements if "tenants_blackoutdate" in sql]
    assert (
        len([sql for sql in statements if sql.startswith("SELECT") and "tenants_shop" in sql]) == 1
    )


def test_a_copy_that_proves_stale_on_the_long_way_books_from_facts_read_fresh(worker, shop_a, day):
    later = day + dt.timedelta(days=7)
    fill_starts(shop_a, later, hours=[8])
    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=later)

    response = _book(worker, shop_a, later)

    assert response.json()["code"] == "no_availability"


def test_a_shop_saved_from_an_old_instance_does_not_bring_an_old_copy_back(worker, shop_a, day):
    earlier = Shop.objects.get(pk=shop_a.pk)
    copy_of = Shop.objects.get(pk=shop_a.pk).facts_version
    shop_a.name = "Done Right Appliance & Sons"
    shop_a.save()

    earlier.save()  # read before the rename, saved after it

    assert Shop.objects.get(pk=shop_a.pk).facts_version not in (copy_of, shop_a.facts_version)


def test_each_thing_a_copy_holds_moves_the_shops_number_on(shop_a, day, settings):
    settings.WEBHOOK_ALLOW_LOCAL = True
    numbers = [Shop.objects.get(pk=shop_a.pk).facts_version]

    def changed():
        numbers.append(Shop.objects.get(pk=shop_a.pk).facts_version)
        return numbers[-1] != numbers[-2]

    shop_a.booking_settings.save()
    assert changed()
    closed = BlackoutDate.objects.create(settings=shop_a.booking_settings, date=day)
    assert changed()
    closed.delete()
    assert changed()
    hire(shop_a, "Ann Lee")
    assert changed()
    hook, _ = endpoint(shop_a, "http://127.0.0.1:9/")
    assert changed()
    hook.delete()
    assert changed()
    Shop.objects.get(pk=shop_a.pk).save(update_fields=["name"])
    assert changed()


def test_an_outsiders_shop_has_a_copy_of_its_own(worker, shop_a, shop_b, day):
    BlackoutDate.objects.create(settings=shop_b.booking_settings, date=day)

    assert _book(worker, shop_b, day).json()["code"] == "no_availability"
    assert _book(worker, shop_a, day).status_code == 201
    assert facts.shop_for_booking(shop_b.slug, day).booking_facts.blackout


def test_a_partner_key_never_books_into_the_shop_that_took_its_shops_slug(
    api_client, shop_a, shop_b, account_a
):
    day = next_working_day(shop_a, days_ahead=3)
    _, key = account_a
    body = contract_body(shop_a, scheduled_date=str(day))
    assert post_booking(api_client, body, key=key).status_code == 201  # the worker has a copy
    shop_a.slug = "done-right-old"
    shop_a.save()
    shop_b.slug = "done-right-appliance"  # another owner takes the old slug
    shop_b.save()

    response = post_booking(api_client, body, key=key)

    assert response.status_code == 404
    assert not Booking.objects.filter(shop=shop_b).exists()


def test_a_day_refused_after_the_owner_changed_the_week_names_a_next_day_the_shop_works(
    api_client, shop_a, day
):
    assert _book(api_client, shop_a, day + dt.timedelta(days=7)).status_code == 201  # a copy
    fill_starts(shop_a, day)
    settings = shop_a.booking_settings
    following = next_working_day(shop_a, days_ahead=(day - shop_a.today()).days + 1)
    settings.working_weekdays = [d for d in settings.working_weekdays if d != following.weekday()]
    settings.save()  # the owner stops working the weekday after

    response = _book(api_client, shop_a, day)

    assert response.json()["code"] == "no_availability"
    named = dt.date.fromisoformat(response.json()["next_available_date"])
    assert named.weekday() in settings.working_weekdays


@pytest.fixture
def crew_worker(api_client, shop_a, day):
    """A worker that has booked for shop A, which has a technician: it holds a copy too."""
    hire(shop_a, "Ann Lee", weekdays=range(7))
    assert _book(api_client, shop_a, day).status_code == 201
    return api_client


def test_a_shop_with_technicians_is_booked_from_a_copy_checked_in_one_small_query(
    crew_worker, shop_a, day
):
    status, statements = _statements(crew_worker, shop_a, day, time_slot="PM")

    assert status == 201
    assert not [sql for sql in statements if "tenants_blackoutdate" in sql]
    [check] = [sql for sql in statements if sql.startswith("SELECT") and "tenants_shop" in sql]
    assert '"facts_version"' in check


def test_a_blackout_the_owner_adds_turns_away_the_next_job_of_a_shop_with_technicians(
    crew_worker, shop_a, day
):
    BlackoutDate.objects.create(settings=shop_a.booking_settings, date=day, reason="Closed")

    response = _book(crew_worker, shop_a, day, time_slot="PM")

    assert response.json()["code"] == "no_availability"
    assert Booking.objects.filter(scheduled_date=day).count() == 1
