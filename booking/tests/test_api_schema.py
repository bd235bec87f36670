"""GET /api/schema: the OpenAPI document of the Partner Booking API."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from booking.api_docs import ERRORS, FIELD_NOTES, PARTNER_FIELD_NOTES


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
    assert {"error", "code", "field", "next_available_date", "hint"} == set(error)
    assert set(schema["components"]["schemas"]["ApiError"]["required"]) == {"error", "code"}
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


# --- Every operation, as client generators read it (issues 13 and 18) ----------------------

OPERATIONS = {
    ("/api/booking/book", "post"): "booking_create",
    ("/api/booking/availability", "get"): "availability_read",
    ("/api/booking", "get"): "booking_list",
    ("/api/booking/{booking_id}", "get"): "booking_read",
    ("/api/booking/{booking_id}/reschedule", "post"): "booking_reschedule",
    ("/api/booking/{booking_id}/cancel", "post"): "booking_cancel",
}
WRITES = {"booking_create", "booking_reschedule", "booking_cancel"}


def operations(schema):
    return {
        operation["operationId"]: operation
        for path in schema["paths"].values()
        for operation in path.values()
    }


def test_every_endpoint_has_its_stable_operation_id(schema):
    found = {
        (path, method): operation["operationId"]
        for path, methods in schema["paths"].items()
        for method, operation in methods.items()
    }

    assert found == OPERATIONS


def test_json_is_the_one_documented_request_body(schema):
    for name, operation in operations(schema).items():
        if "requestBody" in operation:
            assert list(operation["requestBody"]["content"]) == ["application/json"], name


def test_every_error_answer_is_the_typed_error_shape(schema):
    for name, operation in operations(schema).items():
        errors = {s: r for s, r in operation["responses"].items() if int(s) >= 400}
        assert {"401", "429", "500"} <= set(errors), name
        for answer in errors.values():
            assert answer["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ApiError"
            }


def test_every_error_code_is_listed_where_it_can_happen(schema):
    described = " ".join(
        answer["description"]
        for operation in operations(schema).values()
        for answer in operation["responses"].values()
    )
    code = schema["components"]["schemas"]["ApiError"]["properties"]["code"]["description"]

    for _, name, _ in ERRORS:
        assert f"`{name}`" in described
        assert name in code


def test_the_headers_partners_read_are_declared(schema):
    for name, operation in operations(schema).items():
        for status, answer in operation["responses"].items():
            assert {"RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"} <= set(
                answer.get("headers", {})
            ), (name, status)
        assert "Retry-After" in operation["responses"]["429"]["headers"]
        keyed = any(p["name"] == "Idempotency-Key" for p in operation.get("parameters", []))
        assert keyed == (name in WRITES), name
        if name in WRITES:
            assert "Idempotent-Replayed" in operation["responses"]["200"]["headers"]


def test_reading_and_changing_bookings_needs_the_partner_key(schema):
    security = {name: operation["security"] for name, operation in operations(schema).items()}

    assert security == {
        "booking_create": [{}, {"partnerKey": []}],
        "availability_read": [{}, {"partnerKey": []}],
        "booking_list": [{"partnerKey": []}],
        "booking_read": [{"partnerKey": []}],
        "booking_reschedule": [{"partnerKey": []}],
        "booking_cancel": [{"partnerKey": []}],
    }


def test_partner_key_fields_are_marked_for_generators_too(schema):
    properties = schema["components"]["schemas"]["BookingRequest"]["properties"]

    marked = {name for name, field in properties.items() if field.get("x-partner-key-only")}
    assert marked == {name for name, _ in PARTNER_FIELD_NOTES}


def test_the_partner_view_of_a_booking_is_described_field_for_field(schema, shop_a):
    from booking.partner_data import booking_for_partner
    from booking.tests.helpers import book

    described = schema["components"]["schemas"]["PartnerBooking"]

    assert set(described["properties"]) == set(booking_for_partner(book(shop_a)))
    assert set(described["required"]) == set(described["properties"])
