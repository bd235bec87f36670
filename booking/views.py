"""The public booking page /book/<slug>: form, confirmation, calendar file, live availability."""

from __future__ import annotations

import datetime as dt
import logging
import re

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateformat import time_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from applianceops.lib.client_ip import client_ip
from booking import ratelimits, slots, tokens
from booking.appliances import match_appliance
from booking.availability import DayAvailability, shop_availability
from booking.capacity import Need
from booking.forms import WINDOW_WORDS, BookingForm, window_choices
from booking.ics import booking_ics
from booking.inputs import customer_from, job_from
from booking.models import Booking
from booking.self_service import can_change, self_service_token
from booking.services import BookingDisabled, BookingError, booking_create
from tenants.models import Shop

logger = logging.getLogger(__name__)

DEFAULT_SOURCE = "web"
SOURCE_CHARACTERS = re.compile(r"[a-z0-9._-]+")
_CONFIRMATION_SALT = "booking.confirmation"


def _get_shop_or_404(slug: str) -> Shop:
    shop = Shop.objects.public_by_slug(slug)
    if shop is None:
        raise Http404("No active shop has this address.")
    return shop


def confirmation_token(booking: Booking) -> str:
    """The booking's unguessable address: its id signed with the site's secret key."""
    return tokens.sign_booking_id(booking.pk, salt=_CONFIRMATION_SALT)


def confirmation_url(booking: Booking) -> str:
    return reverse(
        "booking-confirmation",
        kwargs={"slug": booking.shop.slug, "token": confirmation_token(booking)},
    )


def _get_booking_or_404(shop: Shop, token: str) -> Booking:
    booking_id = tokens.unsign_booking_id(token, salt=_CONFIRMATION_SALT)
    # Filtering by the shop too keeps one shop's booking off another shop's pages.
    booking = Booking.objects.filter(pk=booking_id, shop=shop).first() if booking_id else None
    if booking is None:
        raise Http404("No such booking.")
    booking.shop = shop
    return booking


def _source(request) -> str:
    """The tag a shop put on its link (?source=yelp), or "web".

    Anyone can edit a link, and the tag lands in the shop's reports and CSV files: only
    lower-case letters, digits, "-", "_" and "." are kept ("Yelp Ads" is yelp-ads), 40 at most.
    """
    tag = "-".join(request.GET.get("source", "").lower().split())
    return "".join(SOURCE_CHARACTERS.findall(tag))[:40].strip("-_.") or DEFAULT_SOURCE


def _book(request, shop: Shop, form: BookingForm) -> Booking:
    """Book within the client's booking quota (only a booking that happens uses it)."""
    data = form.cleaned_data
    with ratelimits.booking_quota(request):
        return booking_create(
            shop=shop,
            customer=customer_from(data),
            job=job_from(data),
            slot_request=slots.SlotRequest(data["scheduled_date"], data["time_slot"]),
            source=_source(request),
            channel=Booking.Channel.BOOKING_PAGE,
            client_ip=client_ip(request),
        )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def booking_page(request, slug):
    """The form (GET) and a booking attempt (POST), in one view so one limit can wrap both."""
    shop = _get_shop_or_404(slug)
    if not shop.booking_settings.booking_enabled:
        return _booking_off(request, shop)
    form = BookingForm(
        request.POST if request.method == "POST" else None,
        appliance_types=shop.booking_settings.appliance_types,
    )
    try:
        if form.is_bound:
            # The same limits as the partner API, shared with it: every attempt counts.
            ratelimits.count_request(request)
            if form.is_valid():
                return redirect(confirmation_url(_book(request, shop, form)))
    except ratelimits.RateLimited as exc:
        return _rate_limited(request, shop, exc)
    except BookingDisabled:
        return _booking_off(request, shop)
    except BookingError as exc:
        form.add_booking_error(exc)
    if form.is_spam():
        logger.warning("booking page %s: honeypot filled from %s", shop.slug, client_ip(request))
    return _render_page(request, shop, form)


def _rate_limited(request, shop: Shop, exc: ratelimits.RateLimited):
    context = {
        "shop": shop,
        "minutes": max(-(-exc.retry_after // 60), 1),
        "back": request.get_full_path(),
    }
    response = render(request, "booking/rate_limited.html", context, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


def _booking_off(request, shop: Shop):
    status = 403 if request.method == "POST" else 200
    return render(request, "booking/off.html", {"shop": shop}, status=status)


def _render_page(request, shop: Shop, form: BookingForm):
    now = shop.now()
    # Every day the booking service would take, so the page offers what the API books.
    last_day = now.date() + dt.timedelta(days=shop.booking_settings.horizon_days)
    days = shop_availability(shop, now.date(), last_day, now=now)
    selected_day = str(form["scheduled_date"].value() or "")
    context = {
        "shop": shop,
        "form": form,
        "months": _months(days),
        "first_open": next((day for day in days if day.is_open), None),
        "last_day": last_day,
        "selected_day": selected_day,
        "picked": next((d for d in days if d.date.isoformat() == selected_day), None),
        "selected_window": str(form["time_slot"].value() or ""),
        "windows": window_choices(shop.booking_settings),
        "action": request.get_full_path(),
    }
    return render(request, "booking/page.html", context, status=400 if form.errors else 200)


Week = list[DayAvailability | None]


def _months(days: list[DayAvailability]) -> list[tuple[dt.date, list[Week]]]:
    """Each month's days as Monday-first weeks under that month alone (None pads the rest).

    A week across two months shows in both, each with only its own days, so a day always sits
    under its own month's heading.
    """
    months: list[tuple[dt.date, list[Week]]] = []
    for day in days:
        if not months or months[-1][0].month != day.date.month:
            months.append((day.date.replace(day=1), []))
        weeks = months[-1][1]
        if not weeks or day.date.weekday() == 0:
            weeks.append([None] * 7)
        weeks[-1][day.date.weekday()] = day
    return months


@never_cache
# HEAD too: link checkers, mail scanners and chat previews ask with HEAD before anyone clicks.
@require_safe
def booking_confirmation(request, slug, token):
    shop = _get_shop_or_404(slug)
    booking = _get_booking_or_404(shop, token)
    return render(
        request,
        "booking/confirmation.html",
        {
            "shop": shop,
            "booking": booking,
            "token": token,
            "requested": _requested_words(booking),
            "landed": WINDOW_WORDS[booking.window],
            # The same page the e-mails link to, for a customer who gave no e-mail address.
            "manage_url": (
                reverse("booking-self-service", args=[self_service_token(booking)])
                if can_change(booking)
                else ""
            ),
        },
    )


def _requested_words(booking: Booking) -> str:
    """What the customer asked for, as the confirmation names it: "the morning", "10:00 AM"."""
    requested = booking.requested_time_slot
    if not booking.reassigned:
        return ""
    if requested in WINDOW_WORDS:
        return f"the {WINDOW_WORDS[requested]}"
    return time_format(dt.time.fromisoformat(requested), "g:i A")


@never_cache
@require_safe
def booking_calendar_file(request, slug, token):
    shop = _get_shop_or_404(slug)
    booking = _get_booking_or_404(shop, token)
    if booking.is_cancelled:
        raise Http404("This booking was cancelled.")
    response = HttpResponse(booking_ics(booking), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="repair-{booking.reference}.ics"'
    return response


def _need(shop: Shop, appliance: str | None) -> Need | None:
    """The job an appliance picked on the page asks for; None (any, the default length) before
    one is picked."""
    if not (appliance or "").strip():
        return None
    booking_settings = shop.booking_settings
    kind, _ = match_appliance(appliance, booking_settings.appliance_types)
    return Need(kind, booking_settings.job_length(kind))


def _asked_day(request, shop: Shop) -> dt.date:
    """The day the page's script asks about; ValueError in the words the answer gives."""
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        raise ValueError("date must be a date in YYYY-MM-DD format") from None
    today = shop.today()
    last = today + dt.timedelta(days=shop.booking_settings.horizon_days)
    if not today <= day <= last:
        raise ValueError(f"date is out of range: ask for a day from {today} to {last}")
    return day


@never_cache
@require_safe
def booking_availability(request, slug):
    """{"date", "open", "am", "pm"} for one day: the page's script asks when a day is picked,
    and again when an appliance is (with technicians, who can take the job depends on it)."""
    shop = Shop.objects.public_by_slug(slug)
    if shop is None:
        return JsonResponse(
            {"error": "No active shop has this slug", "code": "not_found"}, status=404
        )
    try:
        day = _asked_day(request, shop)
    except ValueError as exc:
        return JsonResponse(
            {"error": str(exc), "code": "invalid_field", "field": "date"}, status=400
        )
    if not shop.booking_settings.booking_enabled:
        return JsonResponse({"date": day.isoformat(), "open": False, "am": False, "pm": False})
    need = _need(shop, request.GET.get("appliance", "")[:100])
    (open_day,) = shop_availability(shop, day, day, need=need)
    return JsonResponse(
        {"date": day.isoformat(), "open": open_day.is_open, "am": open_day.am, "pm": open_day.pm}
    )
