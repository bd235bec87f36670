"""A partner's own bookings, with its key: read, list, reschedule and cancel.

/api/booking/<booking_id>, /api/booking?work_order_number=..., and POST .../reschedule and
.../cancel. Only a scheduler account's key opens them (401 without one), and only for its own
bookings at its own shop: anyone else's booking is a 404, never a 403 that confirms it exists.
Moves and cancels go through the booking services, so the rules and e-mails are every door's.
"""

from __future__ import annotations

import uuid

from django.db import transaction
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from applianceops.api_errors import ApiError
from booking import idempotency, slots
from booking.api import IsoDateField, TimeSlotField
from booking.api_base import (
    PartnerApiView,
    PartnerInput,
    PartnerKeyRequired,
    refusals_in_contract_words,
    validated,
)
from booking.models import Booking
from booking.partner_data import booking_for_partner
from booking.services import booking_cancel, booking_reschedule


class BookingPages(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100


class PartnerBookingApi(PartnerApiView):
    permission_classes = [PartnerKeyRequired]

    def own_booking(self, request, booking_id: str) -> Booking:
        """The account's own booking with this id, else 404."""
        account = request.auth
        try:
            pk = uuid.UUID(booking_id)
        except ValueError:
            pk = None
        # The test key's own test bookings; the live key's own live ones (booking/sandbox.py).
        booking = (
            Booking.objects.select_related("shop", "technician")
            .filter(pk=pk, account=account, shop_id=account.shop_id, is_test=account.test_mode)
            .first()
        )
        if booking is None:
            raise ApiError(
                "None of your bookings has this booking_id.", code="not_found", status_code=404
            )
        return booking


class BookingDetailApi(PartnerBookingApi):
    def get(self, request, booking_id: str):
        return Response(booking_for_partner(self.own_booking(request, booking_id)))


class BookingListApi(PartnerBookingApi):
    """The account's bookings, least recently changed first, so `updated_since` pages forward."""

    class InputSerializer(PartnerInput):
        work_order_number = serializers.CharField(max_length=64, required=False)
        status = serializers.ChoiceField(
            choices=Booking.Status.values,
            required=False,
            error_messages={
                "invalid_choice": "status must be scheduled, confirmed, completed or cancelled"
            },
        )
        updated_since = serializers.DateTimeField(
            required=False,
            error_messages={"invalid": "updated_since must be a date-time like 2026-12-01T09:00Z"},
        )

    def get(self, request):
        query = validated(self.InputSerializer, request.query_params)
        account = request.auth
        rows = Booking.objects.select_related("shop", "technician").filter(
            account=account, shop_id=account.shop_id, is_test=account.test_mode
        )
        if query.get("work_order_number"):
            rows = rows.filter(work_order_number=query["work_order_number"].strip())
        if query.get("status"):
            rows = rows.filter(status=query["status"])
        if query.get("updated_since"):
            rows = rows.filter(updated_at__gte=query["updated_since"])
        pages = BookingPages()
        page = pages.paginate_queryset(rows.order_by("updated_at", "id"), request, view=self)
        return pages.get_paginated_response([booking_for_partner(row) for row in page])


class BookingRescheduleApi(idempotency.IdempotentPost, PartnerBookingApi):
    class InputSerializer(PartnerInput):
        scheduled_date = IsoDateField()
        time_slot = TimeSlotField(required=False, allow_blank=True, allow_null=True, max_length=20)

    def post(self, request, booking_id: str):
        booking = self.own_booking(request, booking_id)
        data = validated(self.InputSerializer, request.data)
        window, time = data.get("time_slot") or ("", None)
        request_slot = slots.SlotRequest(data["scheduled_date"], window, time)
        # The answer is kept with the move, in its transaction (booking/idempotency.py).
        with refusals_in_contract_words(booking.shop), transaction.atomic():
            # The shop did not make this change, so it hears of it, as the customer does.
            moved = booking_reschedule(booking=booking, slot_request=request_slot, notify_shop=True)
            body = booking_for_partner(moved)
            self.keep_answer(status.HTTP_200_OK, body)
        return Response(body)


class BookingCancelApi(idempotency.IdempotentPost, PartnerBookingApi):
    class InputSerializer(PartnerInput):
        reason = serializers.CharField(
            max_length=500,
            required=False,
            allow_blank=True,
            allow_null=True,
            error_messages={"max_length": "reason must be at most 500 characters"},
        )

    def post(self, request, booking_id: str):
        booking = self.own_booking(request, booking_id)
        data = validated(self.InputSerializer, request.data)
        reason = (data.get("reason") or "").strip()
        with refusals_in_contract_words(booking.shop), transaction.atomic():
            cancelled = booking_cancel(booking=booking, reason=reason, notify_shop=True)
            body = booking_for_partner(cancelled)
            self.keep_answer(status.HTTP_200_OK, body)
        return Response(body)
