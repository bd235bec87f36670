"""OpenAPI description of the Partner Booking API, served at /api/schema (drf-spectacular).

Extensions, not decorators on the views: the views stay as the contract needs them, and the
schema is described here from the outside (the new endpoints' in api_schema_partner.py).

Written for client generators as much as for people (issue 18): JSON is the one documented
way in (the server also reads form bodies, which /api/docs mentions), every operation has a
stable operationId and typed answers, errors are the one ApiError shape, and the headers a
partner reads are declared. openapi-python-client and openapi-typescript build working
clients from it; the suite and CI prove both.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension, OpenApiViewExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers

from booking.api import BookingCreateApi
from booking.api_docs import CONTRACT_EXAMPLE, ERRORS, FIELD_NOTES, PARTNER_FIELD_NOTES

# The contract writes paths without a trailing slash; the routes accept both.
API_PREFIX = "/api/"
PUBLIC_OR_KEY = [{}, {"partnerKey": []}]
# The contract's arrival windows; one enum (WindowEnum) wherever a window appears.
WINDOWS = ["am", "pm"]
KEY_ONLY = [{"partnerKey": []}]


# The `Authorization: Bearer <key>` of a scheduler account, named by each operation's security
# requirement and defined by the postprocessing hook below.
PARTNER_KEY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "A private partner key (ao_live_...) from the shop owner. Optional where the "
    "public may call (then the public rules apply); required to read, move or cancel bookings. "
    "A test key (ao_test_...) gets the same answers but its bookings are test bookings: no seat "
    "taken, no e-mail, seen and changed only with the test key.",
}


class IsoDateFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "booking.api.IsoDateField"

    def map_serializer_field(self, auto_schema, direction):
        return build_basic_type(OpenApiTypes.DATE)


# --- Errors ------------------------------------------------------------------------------

MEANINGS = {code: meaning for _, code, meaning in ERRORS}


class ApiErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="A sentence for people.")
    code = serializers.CharField(
        help_text="A stable code to branch on, one of: "
        + ", ".join(code for _, code, _ in ERRORS)
        + ". New codes may be added; treat an unknown one by its HTTP status."
    )
    field = serializers.CharField(required=False, help_text="The input at fault, if one is.")
    next_available_date = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="no_availability only: the first day with room, null if none within the "
        "shop's horizon.",
    )
    hint = serializers.CharField(
        required=False, help_text="rate_limited only: how to get higher limits."
    )


def error(*codes: str) -> OpenApiResponse:
    """An error answer, its description listing the codes it can carry and what each means."""
    described = " ".join(f"`{code}`: {MEANINGS[code]}" for code in codes)
    return OpenApiResponse(ApiErrorSerializer, description=described)


def errors_of(*codes: str) -> dict[int, OpenApiResponse]:
    """{status: error answer} for these codes, grouped by their status."""
    statuses = {status for status, code, _ in ERRORS if code in codes}
    return {
        status: error(*[code for s, code, _ in ERRORS if s == status and code in codes])
        for status in sorted(statuses)
    }


# --- Headers -----------------------------------------------------------------------------

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    description="Optional, 1-255 printable ASCII characters (a UUID is best). Retrying with the "
    "same key and body gets the first answer again (Idempotent-Replayed: true) instead of a "
    "second booking or change; kept 24 hours. Another body with the key: 422. While the first "
    "request runs: 409 with Retry-After.",
)
RESPONSE_HEADERS = [
    OpenApiParameter(
        "RateLimit-Limit",
        int,
        OpenApiParameter.HEADER,
        response=True,
        description="Requests allowed in the hour.",
    ),
    OpenApiParameter(
        "RateLimit-Remaining",
        int,
        OpenApiParameter.HEADER,
        response=True,
        description="Requests left in this hour.",
    ),
    OpenApiParameter(
        "RateLimit-Reset",
        int,
        OpenApiParameter.HEADER,
        response=True,
        description="Seconds until the hour's count starts again.",
    ),
    OpenApiParameter(
        "Retry-After",
        int,
        OpenApiParameter.HEADER,
        response=[409, 429],
        description="Seconds to wait before trying again.",
    ),
]
REPLAYED = OpenApiParameter(
    "Idempotent-Replayed",
    str,
    OpenApiParameter.HEADER,
    enum=["true"],
    response=[200, 201, 400, 403, 404, 409],
    description="Present (true) when this is the kept answer of an earlier request with the same "
    "Idempotency-Key: nothing was done again.",
)


def operation(*, keyed_retries: bool = False, **schema):
    """extend_schema with what every operation carries: the quota headers, and for a write the
    Idempotency-Key and its replay header."""
    parameters = [*schema.pop("parameters", []), *RESPONSE_HEADERS]
    if keyed_retries:
        parameters += [IDEMPOTENCY_KEY, REPLAYED]
    return extend_schema(parameters=parameters, **schema)


def described(view_class, method: str, schema_decorator):
    """The view for the schema only: `method` wrapped and described, the view left as it is."""
    original = getattr(view_class, method)

    def handler(self, request, *args, **kwargs):
        return original(self, request, *args, **kwargs)

    return type(view_class.__name__, (view_class,), {method: schema_decorator(handler)})


# --- POST /api/booking/book --------------------------------------------------------------


class BookingRequestSerializer(BookingCreateApi.InputSerializer):
    """A booking request: the contract's fields. Unknown extra fields are ignored."""

    def get_fields(self):
        # The notes partners read on /api/docs, so the two descriptions cannot drift apart.
        fields = super().get_fields()
        for name, notes in FIELD_NOTES + PARTNER_FIELD_NOTES:
            fields[name].help_text = notes
        return fields


class BookingCreatedSerializer(serializers.Serializer):
    success = serializers.BooleanField()
    booking_id = serializers.UUIDField()
    scheduled_date = serializers.DateField()
    scheduled_time = serializers.CharField(help_text="Start on the shop's wall clock, HH:MM:SS.")
    time_slot = serializers.ChoiceField(choices=WINDOWS, help_text="Window of the start.")
    reassigned = serializers.BooleanField(
        help_text="True when the booking landed elsewhere than asked (the slot was full)."
    )
    requested_time_slot = serializers.CharField(
        allow_null=True, help_text="What was asked for: am, pm, a time like 10:00, or null."
    )
    duplicate = serializers.BooleanField(
        help_text="True (with status 200) when the work order was booked already: this is that "
        "booking, and nothing new was booked."
    )
    technician = serializers.CharField(
        required=False,
        help_text="The first name of the technician the job is assigned to; only when the shop "
        "assigns one.",
    )


CREATE_ERRORS = errors_of(
    "missing_field",
    "invalid_field",
    "no_availability",
    "outside_service_area",
    "malformed_body",
    "invalid_idempotency_key",
    "unauthorized",
    "field_not_allowed",
    "forbidden",
    "not_found",
    "booking_disabled",
    "method_not_allowed",
    "idempotency_conflict",
    "payload_too_large",
    "unsupported_media_type",
    "idempotency_key_reused",
    "rate_limited",
    "server_error",
)


class BookingCreateApiSchema(OpenApiViewExtension):
    target_class = "booking.api.BookingCreateApi"

    def view_replacement(self):
        return described(
            self.target_class,
            "post",
            operation(
                keyed_retries=True,
                operation_id="booking_create",
                summary="Create a booking",
                description=(
                    "Books a repair at the shop named by slug. A full slot moves to the next "
                    "start with room that day (then the nearest earlier one); reassigned says "
                    "so. A work order (shop, source, work_order_number) that already has an "
                    "open booking is not booked again: 200 with that booking and duplicate "
                    "true. Form-encoded bodies are accepted too; JSON is the documented way."
                ),
                tags=["bookings"],
                auth=PUBLIC_OR_KEY,
                request={"application/json": BookingRequestSerializer},
                responses={
                    201: OpenApiResponse(BookingCreatedSerializer, description="Booked."),
                    200: OpenApiResponse(
                        BookingCreatedSerializer,
                        description="The work order was booked already (duplicate: true).",
                    ),
                    **CREATE_ERRORS,
                },
                examples=[
                    OpenApiExample(
                        "contract_example",
                        summary="The contract's example",
                        request_only=True,
                        value={**CONTRACT_EXAMPLE, "scheduled_date": "2026-12-02"},
                    )
                ],
            ),
        )


def contract_paths(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: paths as the contract writes them (no trailing slash), the
    partner key's security scheme (the operations' `auth` names it but does not define it), and
    the partner-key fields marked for generators as well as in their descriptions."""
    components = result.setdefault("components", {})
    components.setdefault("securitySchemes", {})["partnerKey"] = PARTNER_KEY_SCHEME
    paths = result.get("paths", {})
    for path in [path for path in paths if path.startswith(API_PREFIX) and path.endswith("/")]:
        paths[path.rstrip("/")] = paths.pop(path)
    request_schema = components.get("schemas", {}).get("BookingRequest", {})
    for name, _ in PARTNER_FIELD_NOTES:
        if name in request_schema.get("properties", {}):
            request_schema["properties"][name]["x-partner-key-only"] = True
    return result
