from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from bench.roundtrips import count_round_trips, describe, redis_command_names
from tenants.models import Shop


@pytest.mark.django_db(transaction=True)
def test_it_counts_begin_savepoints_statements_and_commit():
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
def test_it_counts_a_rollback():
    with count_round_trips() as trips:
        with pytest.raises(RuntimeError), transaction.atomic():
            Shop.objects.count()
            raise RuntimeError("roll it back")

    assert [describe(sql).split()[0] for sql in trips.sql] == ["BEGIN", "SELECT", "ROLLBACK"]


@pytest.mark.django_db(transaction=True)
def test_it_counts_a_statement_outside_a_transaction_once():
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
