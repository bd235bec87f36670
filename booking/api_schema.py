"""OpenAPI description of the Partner Booking API, served at /api/schema (drf-spectacular).

Extensions, not decorators on booking/api.py: the view stays as the contract needs it, and the
schema is described here from the outside.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension, OpenApiViewExtension
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import serializers

from booking.api import BookingCreateApi
from booking.api_docs import CONTRACT_EXAMPLE, FIELD_NOTES, PARTNER_FIELD_NOTES

# The optional `Authorization: Bearer <key>` of a scheduler account, named by the operation's
# security requirement below.
PARTNER_KEY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "Optional: a private partner key (ao_live_...) from the shop owner. Without "
    "it the public rules apply.",
}

# The contract writes the path without a trailing slash; the route accepts both.
CONTRACT_PATH = "/api/booking/book"


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
    time_slot = serializers.ChoiceField(choices=["am", "pm"], help_text="Window of the start.")
    reassigned = serializers.BooleanField(
        help_text="True when the booking landed elsewhere than asked (the slot was full)."
    )
    requested_time_slot = serializers.CharField(
        allow_null=True, help_text="What was asked for: am, pm, a time like 10:00, or null."
    )
    technician = serializers.CharField(
        required=False,
        help_text="The first name of the technician the job is assigned to; only when the shop "
        "assigns one.",
    )


class ApiErrorSerializer(serializers.Serializer):
    error = serializers.CharField(help_text="A sentence for people.")
    code = serializers.CharField(help_text="A stable code to branch on, e.g. no_availability.")
    field = serializers.CharField(required=False, help_text="The input at fault, if one is.")


def _error(description: str) -> OpenApiResponse:
    return OpenApiResponse(ApiErrorSerializer, description=description)


class IsoDateFieldSchema(OpenApiSerializerFieldExtension):
    target_class = "booking.api.IsoDateField"

    def map_serializer_field(self, auto_schema, direction):
        return build_basic_type(OpenApiTypes.DATE)


class BookingCreateApiSchema(OpenApiViewExtension):
    target_class = "booking.api.BookingCreateApi"

    def view_replacement(self):
        view = self.target_class

        class Described(view):
            @extend_schema(
                operation_id="booking_create",
                summary="Create a booking",
                description=(
                    "Books a repair at the shop named by slug. A full slot moves to the next "
                    "start with room that day (then the nearest earlier one); reassigned says so."
                ),
                tags=["bookings"],
                # The key is optional: no security requirement ({}) or the partner key.
                auth=[{}, {"partnerKey": []}],
                request=BookingRequestSerializer,
                responses={
                    201: BookingCreatedSerializer,
                    400: _error("Validation failure, or No availability on requested date."),
                    401: _error("Partner key refused: malformed, unknown, revoked or inactive."),
                    403: _error(
                        "A partner-key field sent without the right to write it "
                        "(field_not_allowed), or a key for another shop (forbidden)."
                    ),
                    404: _error("No active shop has this slug, or it takes no online bookings."),
                    405: _error("Only POST."),
                    413: _error("Body too large."),
                    415: _error("Neither JSON nor form-encoded."),
                    429: _error(
                        "Rate limit exceeded. Retry after N minutes. Retry-After gives the "
                        "seconds; every response carries RateLimit-Limit, RateLimit-Remaining "
                        "and RateLimit-Reset."
                    ),
                    500: _error("Server error; nothing was written. Safe to retry."),
                },
                examples=[
                    OpenApiExample(
                        "The contract's example",
                        request_only=True,
                        value={**CONTRACT_EXAMPLE, "scheduled_date": "2026-12-02"},
                    )
                ],
            )
            def post(self, request):
                return super().post(request)

        return Described


def contract_paths(result, generator, request, public):
    """POSTPROCESSING_HOOKS entry: the booking path exactly as the contract writes it, and the
    partner key's security scheme (the operation's `auth` names it but does not define it)."""
    result.setdefault("components", {}).setdefault("securitySchemes", {})["partnerKey"] = (
        PARTNER_KEY_SCHEME
    )
    paths = result.get("paths", {})
    if CONTRACT_PATH + "/" in paths:
        paths[CONTRACT_PATH] = paths.pop(CONTRACT_PATH + "/")
    return result
