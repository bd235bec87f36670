"""What a booking costs the worker in Python, where the profile found it (issue 17): the API's
input fields are built once per kind, not per request; psycopg parses the booking's INSERT
once per shape, not per booking; the rate limits' Redis script is registered once."""

from __future__ import annotations

import datetime as dt
import threading
from unittest import mock

import psycopg._queries
import pytest
from django.conf import settings
from django.db import connection, models
from redis.commands.core import Script

from booking import outbox
from booking.api import BookingCreateApi
from booking.api_bookings import BookingCancelApi
from booking.models import Booking
from booking.tests.helpers import BOOK_API, contract_body, post_booking

pytestmark = pytest.mark.django_db

InputSerializer = BookingCreateApi.InputSerializer


def test_every_booking_request_validates_with_the_same_bound_fields():
    first, second = InputSerializer(data={}), InputSerializer(data={})

    assert first.fields is second.fields
    assert first.fields["phone"].field_name == "phone"
    # Each kind of input keeps its own fields.
    assert BookingCancelApi.InputSerializer().fields is not first.fields


def test_one_requests_errors_and_values_never_reach_the_next(shop_a):
    bad = InputSerializer(data={**contract_body(shop_a), "phone": "call me", "email": "x"})
    good = InputSerializer(data=contract_body(shop_a))

    assert not bad.is_valid()
    assert good.is_valid(), good.errors
    assert set(bad.errors) == {"phone", "email"}
    assert good.validated_data["phone"] == "+15551234567"
    missing = InputSerializer(data={**contract_body(shop_a), "name": ""})
    assert not missing.is_valid()
    assert missing.errors == {"name": ["Missing required field: name"]}


def test_threads_validating_at_once_each_get_their_own_answer(shop_a):
    bodies = [
        {**contract_body(shop_a), "phone": f"(661) 555-{n:04d}", "issue": f"job {n}"}
        for n in range(40)
    ]
    answers: dict[int, tuple] = {}

    def validate(n: int) -> None:
        serializer = InputSerializer(data=bodies[n])
        serializer.is_valid(raise_exception=True)
        answers[n] = (serializer.validated_data["phone"], serializer.validated_data["issue"])

    threads = [threading.Thread(target=validate, args=(n,)) for n in range(40)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert answers == {n: (f"+1661555{n:04d}", f"job {n}") for n in range(40)}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg parses PostgreSQL's")
def test_psycopg_parses_the_booking_insert_once_not_for_every_booking(api_client, shop_a):
    # The first booking of a day makes its counters; the second is every later one's shape.
    for n in range(2):
        body = contract_body(shop_a, work_order_number=f"WO-{n}")
        assert post_booking(api_client, body).status_code == 201

    uncached = mock.patch.object(
        psycopg._queries, "_query2pg_nocache", wraps=psycopg._queries._query2pg_nocache
    )
    with uncached as parsed:
        body = contract_body(shop_a, work_order_number="WO-2")
        assert api_client.post(BOOK_API, body, format="json").status_code == 201

    parsed_inserts = [call for call in parsed.call_args_list if b"INSERT" in call.args[0]]
    assert parsed_inserts == []


@pytest.mark.skipif("redis" not in settings.CACHES["default"]["BACKEND"], reason="needs REDIS_URL")
def test_the_rate_limits_script_is_registered_once_not_for_every_booking(api_client, shop_a):
    assert post_booking(api_client, contract_body(shop_a)).status_code == 201

    with mock.patch.object(Script, "__init__", side_effect=AssertionError("registered again")):
        body = contract_body(shop_a, work_order_number="WO-again")
        response = api_client.post(BOOK_API, body, format="json")

    assert response.status_code == 201
    assert "RateLimit-Remaining" in response.headers


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the INSERT written for PostgreSQL")
def test_every_value_of_a_bookings_rows_goes_to_postgresql_as_the_field_prepares_it(
    api_client, shop_a
):
    written = []
    keep = outbox._insert_sql

    def kept(rows, conn):
        written.extend(rows)
        return keep(rows, conn)

    with mock.patch.object(outbox, "_insert_sql", kept):
        body = contract_body(shop_a, email="jane@example.com", work_order_number="WO-7")
        assert post_booking(api_client, body).status_code == 201

    assert {type(row).__name__ for row in written} == {"Booking", "Notification", "DBTaskResult"}
    compared = 0
    for row in written:
        for field in row._meta.concrete_fields:
            value = field.pre_save(row, False)
            if hasattr(value, "resolve_expression"):
                continue  # the possible-duplicate subquery: SQL, not a value
            ours = outbox.db_value(field, value, connection)
            theirs = field.get_db_prep_save(value, connection=connection)
            assert (type(ours), repr(ours)) == (type(theirs), repr(theirs)), field
            compared += 1
    assert compared > 60


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime:RuntimeWarning")
@pytest.mark.parametrize(
    "field, value",
    [
        (models.DateTimeField(), dt.datetime(2026, 12, 1, 9, 0)),  # naive: made aware
        (models.DateField(), dt.datetime(2026, 12, 1, 9, 0)),  # a datetime: its date
        (models.IntegerField(), 7),  # wrapped for psycopg (Int4)
        (models.GenericIPAddressField(null=True), ""),  # blank is NULL
        (models.CharField(), Booking.Status.SCHEDULED),  # a str of another type
    ],
)
def test_values_the_field_changes_still_go_through_the_field(field, value):
    assert outbox.db_value(field, value, connection) == field.get_db_prep_save(
        value, connection=connection
    )
