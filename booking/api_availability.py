"""GET /api/booking/availability: a shop's days and start times with the seats they have left.

Computed by booking.availability, which booking_create's own rules feed: a start shown with
seats left books when it is asked for at once.
"""

from __future__ import annotations

import datetime as dt

from rest_framework import serializers
from rest_framework.response import Response

from applianceops.api_errors import ApiError
from booking import refusals
from booking.api_base import (
    PartnerApiView,
    PartnerInput,
    refusals_in_contract_words,
    shop_for,
    validated,
)
from booking.availability import DaySeats, next_open_date, start_seats
from booking.services import BookingDisabled
from booking.slots import AM, PM

MAX_DAYS = 31


class AvailabilityApi(PartnerApiView):
    """Public (per-IP request limit), or with a partner key the account's own limit."""

    class InputSerializer(PartnerInput):
        slug = serializers.CharField(max_length=60)
        date = serializers.DateField(
            required=False,
            input_formats=["%Y-%m-%d"],
            error_messages={"invalid": "date must be a date in YYYY-MM-DD format"},
        )
        days = serializers.IntegerField(
            required=False,
            default=7,
            min_value=1,
            max_value=MAX_DAYS,
            error_messages={
                "invalid": "days must be a whole number from 1 to 31",
                "min_value": "days must be a whole number from 1 to 31",
                "max_value": "days must be a whole number from 1 to 31",
            },
        )

    def get(self, request):
        query = validated(self.InputSerializer, request.query_params)
        shop = shop_for(query["slug"], request.auth)
        with refusals_in_contract_words(shop):
            if not shop.booking_settings.booking_enabled:
                raise BookingDisabled(refusals.BOOKING_DISABLED, field="slug", shop_name=shop.name)
        now = shop.now()
        first = query.get("date") or now.date()
        days = start_seats(shop, first, _last_day(first, query["days"]), now=now)
        following = next((day.date for day in days if day.open_starts), None)
        if following is None:
            following = next_open_date(shop, days[-1].date, now=now)
        return Response(
            {
                "slug": shop.slug,
                "time_zone": shop.time_zone,
                "next_available_date": following.isoformat() if following else None,
                "days": [_day(day) for day in days],
            }
        )


def _last_day(first: dt.date, days: int) -> dt.date:
    try:
        return first + dt.timedelta(days=days - 1)
    except OverflowError:
        raise ApiError("date is too far ahead", code="invalid_field", field="date") from None


def _day(day: DaySeats) -> dict:
    return {
        "date": day.date.isoformat(),
        "open": day.is_open,
        "reason": day.closed_reason or None,
        "windows": {
            AM: {"seats_left": day.seats_left(AM)},
            PM: {"seats_left": day.seats_left(PM)},
        },
        "start_times": [
            {
                "time": seat.start.strftime("%H:%M"),
                "window": seat.window,
                "seats_left": seat.seats_left,
            }
            for seat in day.starts
        ],
    }
