"""A schema-driven fuzz run of the Partner API (schemathesis, in-process, bounded).

Every documented operation gets requests generated from /api/schema, valid and invalid ones
alike; each answer must be no 5xx, a status the operation documents, JSON, and shaped as the
schema says (headers included). Bounded and reproducible: a fixed number of examples per
operation, derandomized, no example database.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from booking.tests.helpers import book

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
EXAMPLES_PER_OPERATION = 40


def in_test_transaction(app):
    """The WSGI app, minus the connection closing at each request's end: as Django's test
    client does, so the requests run inside the test's transaction (and roll back with it)."""

    def call(environ, start_response):
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            response = app(environ, start_response)
            try:
                return list(response)
            finally:
                response.close()
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)

    return call


# Served by the app itself, as partners get it; reading it touches no database.
schema = schemathesis.openapi.from_wsgi(
    "/api/schema?format=json", in_test_transaction(get_wsgi_application())
)


@pytest.fixture
def partner(shop_a, account_a):
    """A partner key and one of its bookings, so the fuzzed paths reach past the 404."""
    account, key = account_a
    booking = book(shop_a, work_order_number="FUZZ-1")
    booking.account = account
    booking.save(update_fields=["account"])
    return key, booking


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_every_answer_is_within_the_schema(case, partner, shop_a):
    key, booking = partner
    # The shop and the booking that exist, more often than not, so validation runs deep.
    if "booking_id" in (case.path_parameters or {}):
        case.path_parameters["booking_id"] = str(booking.pk)
    for fields in (case.query, case.body):
        if isinstance(fields, dict) and "slug" in fields:
            fields["slug"] = shop_a.slug

    response = case.call(headers={"Authorization": f"Bearer {key}"})

    case.validate_response(response, checks=CHECKS)
