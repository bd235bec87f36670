"""The customer's own page, reached from the signed link in their e-mails: /b/<token>/."""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.dateformat import format as date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from booking import refusals, slots
from booking.inputs import clock, window_options
from booking.self_service import MoveWeek, booking_for_token, can_change, move_weeks
from booking.services import BookingError, booking_cancel, booking_reschedule

_WEEK = dt.timedelta(days=7)


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
    return f"{date_format(booking.scheduled_date, 'l, F j')}, arriving {booking.promised_arrival}"


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


def _parse_move(value: str) -> tuple[dt.date, str] | None:
    """The day and window a customer picked: "2026-12-03:pm" -> (date, "pm")."""
    day, _, window = value.partition(":")
    try:
        return (dt.date.fromisoformat(day), window) if window in (slots.AM, slots.PM) else None
    except ValueError:
        return None


def _move(request, booking, token: str):
    """Move the visit to the posted day and window: a redirect when done, else None."""
    move = _parse_move(request.POST.get("move", ""))
    if move is None:
        messages.error(request, "Please pick a day and a window below.")
        return None
    try:
        booking = booking_reschedule(
            booking=booking, new_date=move[0], new_window=move[1], notify_shop=True
        )
    except BookingError as exc:
        messages.error(request, refusals.for_customer(exc))
        return None
    messages.success(request, f"Done: your visit is now {_when(booking)}.")
    return redirect("booking-self-service", token)


def _week_shown(weeks: list[MoveWeek], asked: str) -> MoveWeek | None:
    """The week asked for (?week=, any day of it), else the first with a day to move to."""
    try:
        day = dt.date.fromisoformat(asked)
    except ValueError:
        day = None
    return next(
        (week for week in weeks if day and week.monday <= day < week.monday + _WEEK),
        next((week for week in weeks if week.days), weeks[0] if weeks else None),
    )


@never_cache
@require_http_methods(["GET", "POST"])
@_link_view
def reschedule(request, booking, token: str):
    if not can_change(booking):
        messages.error(request, "This booking can no longer be moved online.")
        return redirect("booking-self-service", token)
    if request.method == "POST":
        moved = _move(request, booking, token)
        if moved:
            return moved
    weeks = move_weeks(booking)
    context = {
        "booking": booking,
        "shop": booking.shop,
        "token": token,
        "weeks": weeks,
        "last_day": booking.shop.today()
        + dt.timedelta(days=booking.shop.booking_settings.horizon_days),
        "shown": _week_shown(weeks, request.POST.get("move", request.GET.get("week", ""))[:10]),
        "windows": [
            (window.value, window.title, f"{clock(window.first_arrival)}-{clock(window.end)}")
            for window in window_options(booking.shop.booking_settings)
        ],
    }
    return render(request, "booking/self_service/reschedule.html", context)
