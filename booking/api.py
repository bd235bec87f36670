"""POST /api/booking/book: the Partner Booking API (shared/seed contract)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping

from rest_framework import serializers, status
from rest_framework.exceptions import ErrorDetail
from rest_framework.response import Response

from applianceops.api_errors import ApiError
from applianceops.lib.client_ip import client_ip
from booking import idempotency, ratelimits, slots
from booking.api_base import (
    FieldsBuiltOnce,
    PartnerApiView,
    refusals_in_contract_words,
    shop_for,
)
from booking.inputs import PlainText, is_sent, normalise_newlines
from booking.models import Booking
from booking.phones import PhoneHasExtension, normalise_phone
from booking.services import DuplicateWorkOrder
from schedulerAccounts.services import (
    FieldNotAllowed,
    check_extra_fields,
    partner_booking_create,
)

# The contract's required fields, in the contract's order: the first missing one is reported.
REQUIRED_FIELDS = ("slug", "name", "phone", "address", "appliance_type", "scheduled_date")


class TextField(serializers.CharField):
    """A JSON string, as the contract's field reference says; a number, true/false, a list or
    an object is refused rather than turned into text (an order number sent as a number has
    already lost its leading zeros)."""

    def to_internal_value(self, data) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError(f"{self.field_name} must be a string", code="invalid")
        return super().to_internal_value(data)


class MultiLineTextField(TextField):
    """Free text that keeps its lines, each ending in LF."""

    def to_internal_value(self, data) -> str:
        return normalise_newlines(super().to_internal_value(data))


def _text(
    name: str, max_length: int, *, required: bool = False, multiline: bool = False
) -> serializers.CharField:
    field = MultiLineTextField if multiline else TextField
    return field(
        max_length=max_length,
        required=required,
        allow_blank=not required,
        allow_null=not required,
        validators=[PlainText(name, multiline=multiline)],
        error_messages={"max_length": f"{name} must be at most {max_length} characters"},
    )


class PhoneField(TextField):
    """E.164 out; digits-only and usual punctuation in (US when no country code)."""

    def to_internal_value(self, data) -> str:
        value = super().to_internal_value(data)
        try:
            return normalise_phone(value)
        except PhoneHasExtension:
            raise serializers.ValidationError(
                "phone must be a number without an extension: send the extension in issue"
            ) from None
        except ValueError:
            raise serializers.ValidationError(
                "phone must be a phone number, e.g. +15551234567 or (555) 123-4567"
            ) from None


class IsoDateField(serializers.Field):
    default_error_messages = {
        "invalid": "scheduled_date must be a date in YYYY-MM-DD format",
        # Well formed but not on the calendar (2026-02-30): saying "YYYY-MM-DD" would send the
        # partner looking for a format bug they do not have.
        "no_such_day": "scheduled_date {value} is not a real date (YYYY-MM-DD)",
    }

    def to_internal_value(self, data) -> dt.date:
        if not isinstance(data, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", data.strip()):
            self.fail("invalid")
        try:
            return dt.date.fromisoformat(data.strip())
        except ValueError:
            self.fail("no_such_day", value=data.strip())

    def to_representation(self, value):
        return value.isoformat()


class TimeSlotField(TextField):
    def to_internal_value(self, data) -> tuple[str, dt.time | None]:
        value = super().to_internal_value(data)
        try:
            return slots.parse_time_slot(value)
        except ValueError as exc:
            raise serializers.ValidationError(f"time_slot: {exc}") from None


class BookingCreateApi(idempotency.IdempotentPost, PartnerApiView):
    booking_reservation: ratelimits.Reservation | None = None
    booked: Booking | None = None

    class InputSerializer(FieldsBuiltOnce):
        slug = _text("slug", 60, required=True)
        name = _text("name", 120, required=True)
        phone = PhoneField(max_length=40)
        address = _text("address", 300, required=True)
        appliance_type = _text("appliance_type", 100, required=True)
        scheduled_date = IsoDateField()
        email = serializers.EmailField(
            required=False,
            allow_blank=True,
            allow_null=True,
            max_length=254,
            # Django's e-mail check lets a direction override or a zero-width space through.
            validators=[PlainText("email")],
            error_messages={"invalid": "email must be a valid e-mail address"},
        )
        issue = _text("issue", 2000, multiline=True)
        time_slot = TimeSlotField(required=False, allow_blank=True, allow_null=True, max_length=20)
        source = _text("source", 60)
        work_order_number = _text("work_order_number", 64)
        claim_number = _text("claim_number", 64)
        authorization_number = _text("authorization_number", 64)
        # Beyond the public schema: only a partner key with the right may send these
        # (schedulerAccounts.services.check_extra_fields refuses the others first).
        status = serializers.ChoiceField(
            choices=[Booking.Status.SCHEDULED, Booking.Status.CONFIRMED],
            required=False,
            allow_blank=True,
            allow_null=True,
            error_messages={"invalid_choice": "status must be scheduled or confirmed"},
        )
        priority = serializers.ChoiceField(
            choices=Booking.Priority.values,
            required=False,
            allow_blank=True,
            allow_null=True,
            error_messages={"invalid_choice": "priority must be normal or urgent"},
        )
        dispatcher_notes = _text("dispatcher_notes", 2000, multiline=True)
        partner_reference = _text("partner_reference", 64)
        duration_minutes = serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=15,
            max_value=720,
            error_messages={
                "invalid": "duration_minutes must be a whole number of minutes",
                "min_value": "duration_minutes must be at least 15",
                "max_value": "duration_minutes must be at most 720",
            },
        )
        allow_overbook = serializers.BooleanField(required=False, allow_null=True)

        def to_internal_value(self, data):
            for name in REQUIRED_FIELDS:
                if not is_sent(data.get(name)):
                    error = ErrorDetail(f"Missing required field: {name}", "missing_field")
                    raise serializers.ValidationError({name: [error]})
            values = super().to_internal_value(data)
            # Optional fields sent as null mean the same as not sent.
            return {key: "" if value is None else value for key, value in values.items()}

    def idempotency_scope(self, request) -> str:
        body = request.data
        slug = body.get("slug") if isinstance(body, Mapping) else None
        return idempotency.scope_of(request, slug=slug if isinstance(slug, str) else "")

    def count_request(self, request) -> ratelimits.Usage | None:
        account = request.auth
        if request.META.get("HTTP_IDEMPOTENCY_KEY"):
            # Retries with one key sent together must not take each other's booking quota:
            # only the one holding the key reserves, as it books (one more round trip).
            self.booking_reservation = ratelimits.late_booking_reservation(request, account=account)
            return ratelimits.count_request(request, account=account)
        # Both limits in one round trip: the booking is reserved with the request, checked
        # where the booking quota applies and given back unless a booking used it.
        usage, self.booking_reservation = ratelimits.count_request_and_booking(
            request, account=account
        )
        return usage

    def post(self, request):
        account = request.auth
        data = self._validated_input(request.data, account)
        shop = shop_for(data["slug"], account, booking_day=data["scheduled_date"])
        window, time = data.get("time_slot") or ("", None)
        with refusals_in_contract_words(shop):
            if self.booking_reservation is not None:
                self.booking_reservation.check()
            try:
                booking = partner_booking_create(
                    shop=shop,
                    account=account,
                    data=data,
                    slot_request=slots.SlotRequest(data["scheduled_date"], window, time),
                    channel=Booking.Channel.API,
                    client_ip=client_ip(request),
                    before_commit=self._keep_answer,
                )
            except DuplicateWorkOrder as exc:
                # The work order is booked already: that booking, no second seat, no e-mail.
                return Response({**booking_response(exc.booking), "duplicate": True})
        self.booked = booking
        return Response(self.answer, status=status.HTTP_201_CREATED)

    def _keep_answer(self, booking: Booking) -> None:
        """Build the answer and keep it for the Idempotency-Key inside the booking's
        transaction: anything failing up to there rolls the booking back (a 500 then means
        "nothing was written", as the contract says), and after the commit nothing is left
        that could fail."""
        self.answer = booking_response(booking)
        self.keep_answer(status.HTTP_201_CREATED, self.answer)

    def finalize_response(self, request, response, *args, **kwargs):
        if self.booking_reservation is not None and self.booked is None:
            self.booking_reservation.give_back()  # nothing booked: a refusal, a replay, a 500
        return super().finalize_response(request, response, *args, **kwargs)

    def _validated_input(self, body, account) -> dict:
        """The body's fields, refused in this order: not an object, a field the sender may not
        write, then the first field the serializer rejects."""
        if not isinstance(body, Mapping):
            raise ApiError(
                "The request body must be a JSON object of the booking's fields, "
                f"not {_json_kind(body)}.",
                code="malformed_body",
            )
        try:
            check_extra_fields(account=account, data=body)
        except FieldNotAllowed as exc:
            raise ApiError(
                exc.message, code="field_not_allowed", status_code=403, field=exc.field
            ) from None
        serializer = self.InputSerializer(data=body)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


def _json_kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "a list"


def booking_response(booking: Booking) -> dict:
    """The contract's success body, plus whether the booking moved from what was asked,
    whether it was booked before (the work order was re-sent) and, where one is assigned, the
    technician's first name (only then: a shop without technicians answers as before)."""
    body = {
        "success": True,
        "booking_id": str(booking.pk),
        "scheduled_date": booking.scheduled_date.isoformat(),
        "scheduled_time": booking.scheduled_time.strftime("%H:%M:%S"),
        "time_slot": booking.window,
        "reassigned": booking.reassigned,
        "requested_time_slot": booking.requested_time_slot or None,
        "duplicate": False,
    }
    if booking.technician_id:
        body["technician"] = booking.technician.first_name
    return body
