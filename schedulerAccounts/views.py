"""The partner portal: /scheduler-login.html and the pages under /scheduler/."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from applianceops.lib.client_ip import client_ip
from booking import ratelimits
from booking.availability import refusal_in_words, start_seats
from booking.forms import customer_from
from booking.models import Booking, spoken_lookup
from booking.services import BookingError, Job, booking_cancel, booking_create
from schedulerAccounts.forms import (
    BookingSearchForm,
    PortalBookingForm,
    PortalLoginForm,
    portal_account,
)
from schedulerAccounts.services import (
    FieldNotAllowed,
    booking_source,
    check_extra_fields,
    extras_from,
    scheduler_account_rotate_key,
)

BOOKINGS_PER_PAGE = 20
# The availability the home page lays out, from the shop's today.
DAYS_SHOWN = 14


def portal_view(view):
    """Signed in with an active scheduler account, else to the sign-in page; passes the account."""

    @wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        account = portal_account(request.user)
        if account is None:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('scheduler-login')}?{query}")
        return view(request, account, *args, **kwargs)

    return wrapper


def _local_url(request, target: str, default: str) -> str:
    """`target` if it stays on this site, else `default`: no open redirects."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    return _local_url(request, target, reverse("scheduler-home"))


@sensitive_post_parameters("password")
@never_cache
def login(request):
    if portal_account(request.user) is not None:
        return redirect("scheduler-home")
    form = PortalLoginForm(request, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        auth_login(request, form.get_user())
        return redirect(_next_url(request))
    return render(
        request,
        "scheduler_accounts/login.html",
        {"form": form, "next": request.POST.get("next") or request.GET.get("next", "")},
    )


def locked_out(request, original_response=None, credentials=None):
    """django-axes' lockout page, for the admin's sign-in and the portal's."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME.total_seconds() / 60))
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    response = render(
        request,
        "scheduler_accounts/locked_out.html",
        {"username": username, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response


@require_POST
def logout(request):
    auth_logout(request)
    messages.info(request, "You are signed out.")
    return redirect("scheduler-login")


@portal_view
def home(request, account):
    """Availability for the next two weeks and the booking form."""
    form = PortalBookingForm(request.POST if request.method == "POST" else None, account=account)
    status = 200
    if request.method == "POST":
        try:
            check_extra_fields(account=account, data=request.POST)
        except FieldNotAllowed as exc:
            return render(
                request, "scheduler_accounts/forbidden.html", {"message": exc.message}, status=403
            )
        if form.is_valid():
            try:
                booking = _book(request, account, form)
            except ratelimits.RateLimited as exc:
                form.add_error(None, exc.message)
                status = 429
            except BookingError as exc:
                message = refusal_in_words(
                    exc, shop=account.shop, day=form.cleaned_data["scheduled_date"]
                )
                form.add_error(exc.field if exc.field in form.fields else None, message)
            else:
                messages.success(
                    request,
                    f"Booked {booking.customer_name} on {booking.scheduled_date:%a %b %-d} at "
                    f"{booking.scheduled_time:%H:%M} (reference {booking.reference}).",
                )
                return redirect("scheduler-bookings")
    now = account.shop.now()
    days = start_seats(
        account.shop, now.date(), now.date() + dt.timedelta(days=DAYS_SHOWN - 1), now=now
    )
    return render(
        request,
        "scheduler_accounts/home.html",
        {"account": account, "form": form, "days": days},
        status=status,
    )


def _book(request, account, form) -> Booking:
    """Book through the one booking service, within the account's own limits."""
    # The portal is the account's second door: its bookings count in the same bucket as its
    # API key's, so a portal login cannot book past what the owner allowed the key.
    request.auth = account
    ratelimits.count_request(request)
    data = form.cleaned_data
    with ratelimits.booking_quota(request):
        return booking_create(
            shop=account.shop,
            customer=customer_from(data),
            job=Job(
                appliance_type=data["appliance_type"],
                issue=data["issue"],
                work_order_number=data["work_order_number"].strip(),
                claim_number=data["claim_number"].strip(),
                authorization_number=data["authorization_number"].strip(),
            ),
            slot_request=form.slot_request(),
            source=booking_source(account=account, requested=data.get("source", "")),
            channel=Booking.Channel.PORTAL,
            account=account,
            client_ip=client_ip(request),
            extras=extras_from(data),
            allow_overbook=bool(data.get("allow_overbook")),
        )


@portal_view
def bookings(request, account):
    """This account's bookings, newest first, searchable by name, phone, WO# and reference."""
    search = BookingSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    rows = Booking.objects.filter(account=account, shop=account.shop).order_by("-created_at")
    if query:
        match = Q(customer_name__icontains=query) | Q(work_order_number__icontains=query)
        rows = rows.filter(match | spoken_lookup(query))
    page = Paginator(rows, BOOKINGS_PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "scheduler_accounts/bookings.html",
        {"account": account, "search": search, "query": query, "page": page},
    )


@require_POST
@portal_view
def cancel(request, account, pk):
    # Scoped to the account: another partner's booking is a 404, as if it did not exist.
    booking = get_object_or_404(Booking, pk=pk, account=account, shop=account.shop)
    try:
        # The shop did not make this change, so it hears of it, as when a customer cancels.
        booking_cancel(booking=booking, notify_shop=True)
    except BookingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Cancelled the booking of {booking.customer_name}.")
    return redirect(
        _local_url(request, request.POST.get("back", ""), reverse("scheduler-bookings"))
    )


@portal_view
def api_key(request, account):
    """The key's prefix and last use; POST rotates it and shows the new key, this once."""
    new_key = None
    if request.method == "POST":
        new_key = scheduler_account_rotate_key(account=account)
    return render(
        request, "scheduler_accounts/api_key.html", {"account": account, "new_key": new_key}
    )
