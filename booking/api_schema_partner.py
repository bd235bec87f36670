"""OpenAPI description of availability and a partner's own bookings (booking/api_availability.py,
booking/api_bookings.py); the shared pieces are in booking/api_schema.py."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiViewExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from booking import refusals
from booking.api_availability import AvailabilityApi
from booking.api_bookings import BookingCancelApi, BookingListApi, BookingRescheduleApi
from booking.api_schema import (
    KEY_ONLY,
    PUBLIC_OR_KEY,
    WINDOWS,
    IsoDateFieldSchema,  # noqa: F401  (registered for the reschedule body's date too)
    described,
    errors_of,
    operation,
)
from booking.models import Booking

DAY_CLOSED_REASONS = [
    refusals.PAST,
    refusals.TOO_SOON,
    refusals.NON_WORKING_DAY,
    refusals.BLACKOUT,
    refusals.FULL,
    refusals.BEYOND_HORIZON,
]
BOOKING_ID = OpenApiParameter(
    "booking_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="From the create answer."
)
KEYED_ERRORS = ("unauthorized", "not_found", "method_not_allowed", "rate_limited", "server_error")


# --- GET /api/booking/availability -------------------------------------------------------


class SeatsLeftSerializer(serializers.Serializer):
    seats_left = serializers.IntegerField(min_value=0)


class WindowsSerializer(serializers.Serializer):
    am = SeatsLeftSerializer(help_text="08:00-12:00 starts.")
    pm = SeatsLeftSerializer(help_text="12:00-17:00 starts.")


class StartTimeSerializer(serializers.Serializer):
    time = serializers.CharField(help_text="A start on the shop's wall clock, HH:MM.")
    window = serializers.ChoiceField(choices=WINDOWS)
    seats_left = serializers.IntegerField(
        min_value=0, help_text="More than 0: booking this time now lands on it."
    )


class AvailabilityDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    open = serializers.BooleanField(help_text="True when a start of the day has a seat left.")
    reason = serializers.ChoiceField(
        choices=DAY_CLOSED_REASONS,
        allow_null=True,
        help_text="Why the day is closed; null if open.",
    )
    windows = WindowsSerializer()
    start_times = StartTimeSerializer(
        many=True, help_text="Starts past the shop's notice; full ones with 0 seats left."
    )


class AvailabilitySerializer(serializers.Serializer):
    slug = serializers.CharField()
    time_zone = serializers.CharField(
        help_text="The shop's IANA time zone: dates and times are its."
    )
    next_available_date = serializers.DateField(
        allow_null=True,
        help_text="The first day from `date` on with room, past the days shown if need be; null "
        "if none within the shop's horizon.",
    )
    days = AvailabilityDaySerializer(many=True)


class AvailabilityApiSchema(OpenApiViewExtension):
    target_class = AvailabilityApi

    def view_replacement(self):
        return described(
            self.target_class,
            "get",
            operation(
                operation_id="availability_read",
                summary="Days and start times with seats left",
                description="Computed by the same rules that book: a start shown with seats left "
                "books when asked for at once. Public (per-IP request limit), or with a partner "
                "key (the account's limit).",
                tags=["availability"],
                auth=PUBLIC_OR_KEY,
                parameters=[AvailabilityApi.InputSerializer],
                responses={
                    200: AvailabilitySerializer,
                    **errors_of(
                        "missing_field",
                        "invalid_field",
                        "unauthorized",
                        "forbidden",
                        "not_found",
                        "booking_disabled",
                        "method_not_allowed",
                        "rate_limited",
                        "server_error",
                    ),
                },
            ),
        )


# --- A partner's own bookings ------------------------------------------------------------


class PartnerBookingSerializer(serializers.Serializer):
    """A booking as its partner sees it (booking/partner_data.py)."""

    booking_id = serializers.UUIDField()
    reference = serializers.CharField(help_text="Short reference the shop reads out.")
    slug = serializers.CharField()
    status = serializers.ChoiceField(choices=Booking.Status.values)
    scheduled_date = serializers.DateField()
    scheduled_time = serializers.CharField(help_text="Start on the shop's wall clock, HH:MM:SS.")
    time_slot = serializers.ChoiceField(choices=WINDOWS, help_text="Window of the start.")
    reassigned = serializers.BooleanField(help_text="True when it landed elsewhere than asked.")
    requested_time_slot = serializers.CharField(allow_null=True)
    name = serializers.CharField()
    phone = serializers.CharField(help_text="E.164.")
    email = serializers.CharField(allow_blank=True)
    address = serializers.CharField()
    appliance_type = serializers.CharField(help_text="As the shop files it.")
    issue = serializers.CharField(allow_blank=True)
    source = serializers.CharField(allow_blank=True)
    work_order_number = serializers.CharField(allow_blank=True)
    claim_number = serializers.CharField(allow_blank=True)
    authorization_number = serializers.CharField(allow_blank=True)
    priority = serializers.ChoiceField(choices=Booking.Priority.values)
    partner_reference = serializers.CharField(allow_blank=True)
    duration_minutes = serializers.IntegerField(allow_null=True)
    technician = serializers.CharField(
        allow_null=True, help_text="The assigned technician's first name, if the shop assigns one."
    )
    cancel_reason = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PartnerBookingPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True, help_text="The next page, null on the last.")
    previous = serializers.URLField(allow_null=True)
    results = PartnerBookingSerializer(many=True)


class BookingListParameters(BookingListApi.InputSerializer):
    page = serializers.IntegerField(required=False, min_value=1, help_text="From 1.")
    page_size = serializers.IntegerField(
        required=False, min_value=1, max_value=100, help_text="50 unless given; at most 100."
    )


class BookingDetailApiSchema(OpenApiViewExtension):
    target_class = "booking.api_bookings.BookingDetailApi"

    def view_replacement(self):
        return described(
            self.target_class,
            "get",
            operation(
                operation_id="booking_read",
                summary="Read one of your bookings",
                tags=["bookings"],
                auth=KEY_ONLY,
                parameters=[BOOKING_ID],
                responses={200: PartnerBookingSerializer, **errors_of(*KEYED_ERRORS)},
            ),
        )


class BookingListApiSchema(OpenApiViewExtension):
    target_class = BookingListApi

    def view_replacement(self):
        return described(
            self.target_class,
            "get",
            operation(
                operation_id="booking_list",
                summary="List your bookings",
                description="Your account's bookings, least recently changed first, a page at "
                "a time. With updated_since (at or after; send it URL-encoded, or with a Z) you "
                "get what changed since your last look.",
                tags=["bookings"],
                auth=KEY_ONLY,
                parameters=[BookingListParameters],
                responses={
                    200: PartnerBookingPageSerializer,
                    **errors_of("invalid_field", *KEYED_ERRORS),
                },
            ),
        )


class RescheduleRequestSerializer(BookingRescheduleApi.InputSerializer):
    """Where to: the create request's date and time_slot, with the same slot rules."""


class CancelRequestSerializer(BookingCancelApi.InputSerializer):
    """Why, optionally: kept on the booking and told to the shop."""


def _change(view_class, operation_id, summary, description, request, codes):
    return described(
        view_class,
        "post",
        operation(
            keyed_retries=True,
            operation_id=operation_id,
            summary=summary,
            description=description,
            tags=["bookings"],
            auth=KEY_ONLY,
            parameters=[BOOKING_ID],
            request={"application/json": request},
            responses={
                200: OpenApiResponse(PartnerBookingSerializer, description="Done: the booking."),
                **errors_of(*codes, *KEYED_ERRORS),
            },
        ),
    )


class BookingRescheduleApiSchema(OpenApiViewExtension):
    target_class = BookingRescheduleApi

    def view_replacement(self):
        return _change(
            self.target_class,
            "booking_reschedule",
            "Move one of your bookings",
            "Placed as a new booking would be: the earliest start with room in what you ask, "
            "else the next later start that day, then the nearest earlier one (reassigned says "
            "so). The old start is freed; the customer is e-mailed and the shop told.",
            RescheduleRequestSerializer,
            (
                "missing_field",
                "invalid_field",
                "no_availability",
                "malformed_body",
                "invalid_idempotency_key",
                "idempotency_conflict",
                "not_movable",
                "idempotency_key_reused",
            ),
        )


class BookingCancelApiSchema(OpenApiViewExtension):
    target_class = BookingCancelApi

    def view_replacement(self):
        return _change(
            self.target_class,
            "booking_cancel",
            "Cancel one of your bookings",
            "The start is freed; the customer is e-mailed and the shop told, with your reason.",
            CancelRequestSerializer,
            (
                "invalid_field",
                "malformed_body",
                "invalid_idempotency_key",
                "idempotency_conflict",
                "not_cancellable",
                "idempotency_key_reused",
            ),
        )
