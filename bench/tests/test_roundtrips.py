from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from rest_framework.test import APIClient

from bench.roundtrips import (
    POOL_CHECK,
    as_served,
    count_round_trips,
    describe,
    redis_command_names,
)
from bench.tests.helpers import copies_of
from booking.models import Booking
from booking.tests.factories import BookingFactory
from booking.tests.helpers import BOOK_API, bearer, contract_body, next_working_day, post_booking
from tenants.models import Shop


@pytest.mark.django_db(transaction=True)
def test_it_counts_begin_savepoints_statements_and_commit():
    connection.ensure_connection()  # a connection in hand: no pool check to count
    with count_round_trips() as trips:
        with transaction.atomic():
            Shop.objects.count()
            with transaction.atomic():
                Shop.objects.exists()

    described = [describe(sql) for sql in trips.sql]
    # psycopg sends its BEGIN unasked and SQLite's is Django's BEGIN IMMEDIATE: both count.
    assert [text.split()[0] for text in described] == [
        "BEGIN",
        "SELECT",
        "SAVEPOINT",
        "SELECT",
        "RELEASE",
        "COMMIT",
    ]
    assert described[1] == "SELECT tenants_shop"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite has no pool")
def test_it_counts_the_pools_check_of_the_connection_a_request_is_handed():
    connection.ensure_connection()
    as_served()
    with count_round_trips() as trips:
        Shop.objects.count()

    assert [describe(sql) for sql in trips.sql] == [POOL_CHECK, "SELECT tenants_shop"]


@pytest.mark.django_db(transaction=True)
def test_it_counts_a_rollback():
    connection.ensure_connection()  # a connection in hand: no pool check to count
    with count_round_trips() as trips:
        with pytest.raises(RuntimeError), transaction.atomic():
            Shop.objects.count()
            raise RuntimeError("roll it back")

    assert [describe(sql).split()[0] for sql in trips.sql] == ["BEGIN", "SELECT", "ROLLBACK"]


@pytest.mark.django_db(transaction=True)
def test_it_counts_a_statement_outside_a_transaction_once():
    connection.ensure_connection()  # a connection in hand: no pool check to count
    with count_round_trips() as trips:
        Shop.objects.count()

    assert trips.total == 1


def test_it_counts_each_cache_command():
    with count_round_trips() as trips:
        cache.set("bench-test", 1)
        cache.get("bench-test")

    assert [name.upper() for name in trips.cache] == ["SET", "GET"]
    assert trips.sql == []


def test_it_counts_an_inner_cache_call_as_part_of_the_outer_one():
    cache.set("bench-test", 5)

    with count_round_trips() as trips:
        cache.decr("bench-test")

    assert len(trips.cache) == 1


@pytest.mark.skipif("redis" not in settings.CACHES["default"]["BACKEND"], reason="needs REDIS_URL")
def test_a_redis_pipeline_is_one_round_trip():
    from django_redis import get_redis_connection

    redis = get_redis_connection("default")
    redis.ping()  # the connection's handshake is not part of the count
    with count_round_trips() as trips:
        with redis.pipeline() as pipeline:
            pipeline.incr("bench-test-pipeline")
            pipeline.expire("bench-test-pipeline", 60)
            pipeline.execute()

    assert trips.cache == ["MULTI + INCRBY + EXPIRE + EXEC"]


def test_it_reads_command_names_from_what_redis_py_sends():
    packed = [b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", b"*3\r\n$3\r\nset\r\n$1\r\nk\r\n$2\r\n10\r\n"]

    assert redis_command_names(packed) == ["GET", "SET"]


def test_it_describes_a_statement_by_its_verb_and_table():
    assert describe('SELECT "tenants_shop"."id" FROM "tenants_shop" WHERE 1') == (
        "SELECT tenants_shop"
    )
    assert describe('INSERT INTO "booking_booking" ("id") VALUES (%s)') == (
        "INSERT booking_booking"
    )
    assert describe('RELEASE SAVEPOINT "s1_x1"') == "RELEASE SAVEPOINT"


# --- What one booking costs: the ceilings on PostgreSQL + Redis -------------------------

# PostgreSQL: the pool's check of the connection it hands the request, BEGIN, the seat (one
# guarded UPDATE, which also checks that the worker's copy of the shop is current: no SELECT of
# the shop), the booking with its e-mail rows and their task (one INSERT), COMMIT. SQLite has
# no INSERT in WITH: three INSERTs. Redis: both rate limits in one script; the local-memory
# cache of the embedded mode is called once per count and add (no network there). The issue's
# ceilings: 6 and 7.
POSTGRESQL_STEPS = [
    "BEGIN",
    "UPDATE booking_seatcounter",
    "INSERT booking_booking + booking_notification + django_tasks_database_dbtaskresult",
    "COMMIT",
]
BUDGET = {"public": 6, "partner key": 7}


def _within_budget(trips, door: str) -> None:
    key_lookup = door == "partner key"
    described = [describe(sql) for sql in trips.sql]
    assert "SAVEPOINT" not in described, described
    if connection.vendor == "postgresql":
        lookup = ["SELECT scheduler_accounts_scheduleraccount"] * key_lookup
        assert described == [POOL_CHECK, *lookup, *POSTGRESQL_STEPS]
    else:
        assert len(trips.sql) <= 6 + key_lookup, described
    if trips.cache_is_redis:
        assert trips.cache == ["EVALSHA"]
    else:
        assert len(trips.cache) <= 4, trips.cache
    if connection.vendor == "postgresql" and trips.cache_is_redis:
        assert trips.total <= BUDGET[door], trips.as_dict()


def _book_counted(shop, day, *, key: str):
    """The round trips of a public booking and of a partner key's, on a day with bookings."""
    client = APIClient()
    # The day's first booking makes its seat counters; each door's first request opens its
    # connections (and loads the script into Redis).
    for first in ({}, {"key": key}):
        booked = post_booking(client, contract_body(shop, scheduled_date=str(day)), **first)
        assert booked.status_code == 201
    body = contract_body(shop, scheduled_date=str(day), time_slot="PM")
    as_served()
    with count_round_trips() as public:
        assert post_booking(client, body).status_code == 201
    as_served()
    with count_round_trips() as keyed:
        assert post_booking(client, body | {"name": "Ann Lee"}, key=key).status_code == 201
    return public, keyed


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("existing", [10, 100_000])
def test_a_booking_costs_the_same_few_round_trips_however_many_bookings_exist(
    existing, shop_a, account_a
):
    day = next_working_day(shop_a, days_ahead=3)
    with copies_of(BookingFactory(shop=shop_a, scheduled_date=day), existing - 1, days=20):
        assert Booking.objects.count() == existing
        public, keyed = _book_counted(shop_a, day, key=account_a[1])

    _within_budget(public, "public")
    _within_budget(keyed, "partner key")


@pytest.mark.django_db(transaction=True)
def test_a_key_writes_its_last_use_at_most_once_a_minute(shop_a, account_a, freeze_now):
    account, key = account_a
    client = APIClient()
    moment = freeze_now(dt.datetime(2026, 12, 1, 16, 0, tzinfo=dt.UTC))
    body = {"slug": shop_a.slug}  # refused (400): the key is looked up all the same

    writes = []
    for seconds in (0, 20, 59, 61, 90):
        freeze_now(moment + dt.timedelta(seconds=seconds))
        with count_round_trips() as trips:
            client.post(BOOK_API, body, format="json", **bearer(key))
        writes.append(
            sum(describe(sql) == "UPDATE scheduler_accounts_scheduleraccount" for sql in trips.sql)
        )

    assert writes == [1, 0, 0, 1, 0]
    account.refresh_from_db()
    assert account.key_last_used_at == moment + dt.timedelta(seconds=61)
