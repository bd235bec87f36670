"""GET /api/schema: the OpenAPI document of the Partner Booking API."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from booking.api_docs import FIELD_NOTES, PARTNER_FIELD_NOTES


@pytest.fixture
def schema(client, db):
    response = client.get("/api/schema", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_it_describes_the_booking_endpoint_at_the_contracts_path(schema):
    assert "/api/booking/book" in schema["paths"]
    assert "post" in schema["paths"]["/api/booking/book"]


def test_the_request_lists_every_contract_field_and_the_required_ones(schema):
    request = schema["components"]["schemas"]["BookingRequest"]

    assert set(request["properties"]) == {name for name, _ in FIELD_NOTES + PARTNER_FIELD_NOTES}
    assert set(request["required"]) == {
        "slug",
        "name",
        "phone",
        "address",
        "appliance_type",
        "scheduled_date",
    }
    assert request["properties"]["issue"]["maxLength"] == 2000
    assert request["properties"]["scheduled_date"]["format"] == "date"


def test_the_responses_include_our_extra_fields_and_the_error_shape(schema):
    operation = schema["paths"]["/api/booking/book"]["post"]
    created = schema["components"]["schemas"]["BookingCreated"]["properties"]
    error = schema["components"]["schemas"]["ApiError"]["properties"]

    assert {"reassigned", "requested_time_slot", "booking_id", "technician"} <= set(created)
    assert "technician" not in schema["components"]["schemas"]["BookingCreated"]["required"]
    assert {"error", "code", "field"} == set(error)
    assert {"201", "400", "404", "429", "500"} <= set(operation["responses"])


def test_the_partner_key_is_described_as_an_optional_bearer_token(schema):
    operation = schema["paths"]["/api/booking/book"]["post"]
    scheme = schema["components"]["securitySchemes"]["partnerKey"]

    assert {"type": "http", "scheme": "bearer"}.items() <= scheme.items()
    assert operation["security"] == [{}, {"partnerKey": []}]
    assert {"401", "403"} <= set(operation["responses"])


def test_the_partner_key_fields_say_they_need_one(schema):
    properties = schema["components"]["schemas"]["BookingRequest"]["properties"]

    for name, _ in PARTNER_FIELD_NOTES:
        assert properties[name]["description"].startswith("Partner key only"), name


def test_the_schema_is_valid_openapi(tmp_path, db):
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--file", str(target))

    assert "ApplianceOps Partner Booking API" in target.read_text()
