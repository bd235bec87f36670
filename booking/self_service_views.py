"""The customer's own page, reached from the signed link in their e-mails: /b/<token>/."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.dateformat import format as date_format
from django.utils.dateformat import time_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from booking import refusals
from booking.self_service import booking_for_token, can_change, open_days
from booking.services import BookingError, booking_cancel, booking_reschedule


def _link_view(view):
    """Pass the view the booking its link names, or answer that the link is gone."""

    @wraps(view)
    def wrapper(request, token: str):
        booking = booking_for_token(token)
        if booking is None:
            # One answer for forged, altered and expired links: none may reveal which it was.
            return render(request, "booking/self_service/gone.html", status=404)
        return view(request, booking, token)

    return wrapper


def _when(booking) -> str:
    return (
        f"{date_format(booking.scheduled_date, 'l, F j')} at "
        f"{time_format(booking.scheduled_time, 'g:i A')}"
    )


@never_cache
@require_safe
@_link_view
def manage(request, booking, token: str):
    return render(
        request,
        "booking/self_service/detail.html",
        {
            "booking": booking,
            "shop": booking.shop,
            "token": token,
            "can_change": can_change(booking),
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
@_link_view
def cancel(request, booking, token: str):
    if not can_change(booking):
        messages.error(request, "This booking can no longer be cancelled online.")
        return redirect("booking-self-service", token)
    if request.method == "POST":
        try:
            booking_cancel(booking=booking, notify_shop=True)
        except BookingError as exc:
            messages.error(request, refusals.for_customer(exc))
        else:
            messages.success(
                request, f"Your booking is cancelled. We have let {booking.shop.name} know."
            )
        return redirect("booking-self-service", token)
    return render(
        request,
        "booking/self_service/cancel.html",
        {"booking": booking, "shop": booking.shop, "token": token},
    )


def _parse_start(value: str) -> tuple[dt.date, dt.time] | None:
    try:
        moment = dt.datetime.strptime(value, "%Y-%m-%dT%H:%M")
    except (TypeError, ValueError):
        return None
    return moment.date(), moment.time()


@never_cache
@require_http_methods(["GET", "POST"])
@_link_view
def reschedule(request, booking, token: str):
    if not can_change(booking):
        messages.error(request, "This booking can no longer be moved online.")
        return redirect("booking-self-service", token)
    if request.method == "POST":
        start = _parse_start(request.POST.get("start", ""))
        if start is None:
            messages.error(request, "Please pick one of the times below.")
        else:
            try:
                booking = booking_reschedule(
                    booking=booking, new_date=start[0], new_time=start[1], notify_shop=True
                )
            except BookingError as exc:
                messages.error(request, refusals.for_customer(exc))
            else:
                messages.success(request, f"Done: your visit is now {_when(booking)}.")
                return redirect("booking-self-service", token)
    return render(
        request,
        "booking/self_service/reschedule.html",
        {"booking": booking, "shop": booking.shop, "token": token, "days": open_days(booking)},
    )
