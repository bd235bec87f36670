"""The partner portal: /scheduler-login.html and the pages under /scheduler/."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from urllib.parse import urlencode

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
from booking import ratelimits, refusals
from booking.availability import start_seats
from booking.models import Booking
from booking.search import spoken_lookup
from booking.services import BookingError, booking_cancel, booking_reschedule
from booking.source_report import ReportRangeForm, source_report
from schedulerAccounts.access import portal_agent
from schedulerAccounts.forms import (
    BookingSearchForm,
    PortalBookingForm,
    PortalLoginForm,
    PortalRescheduleForm,
)
from schedulerAccounts.services import (
    FieldNotAllowed,
    check_extra_fields,
    partner_booking_create,
    scheduler_account_rotate_key,
)

BOOKINGS_PER_PAGE = 20
# The availability the home page lays out, from the shop's today.
DAYS_SHOWN = 14


def portal_view(view):
    """Signed in as an agent of an active scheduler account, else to the sign-in page; passes
    the agent (its account is agent.account)."""

    @wraps(view)
    @never_cache
    def wrapper(request, *args, **kwargs):
        agent = portal_agent(request.user)
        if agent is None:
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('scheduler-login')}?{query}")
        return view(request, agent, *args, **kwargs)

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
    if portal_agent(request.user) is not None:
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


@require_POST
def logout(request):
    auth_logout(request)
    messages.info(request, "You are signed out.")
    return redirect("scheduler-login")


@portal_view
def home(request, agent):
    """Availability for the next two weeks and the booking form."""
    account = agent.account
    form = PortalBookingForm(request.POST if request.method == "POST" else None, account=account)
    status = 200
    if request.method == "POST":
        try:
            check_extra_fields(account=account, data=request.POST)
            if form.is_valid():
                booking = _book(request, agent, form)
                messages.success(request, _booked_words(booking))
                return redirect("scheduler-bookings")
        except FieldNotAllowed as exc:
            context = {"message": exc.message}
            return render(request, "scheduler_accounts/forbidden.html", context, status=403)
        except ratelimits.RateLimited as exc:
            form.add_error(None, exc.message)
            status = 429
        except BookingError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, refusals.for_dispatcher(exc))
    context = {"account": account, "form": form, "days": _days_ahead(account.shop)}
    return render(request, "scheduler_accounts/home.html", context, status=status)


def _days_ahead(shop) -> list:
    """The shop's next two weeks, from its today, with each start time's seats left."""
    now = shop.now()
    first, last = now.date(), now.date() + dt.timedelta(days=DAYS_SHOWN - 1)
    return start_seats(shop, first, last, now=now)


def _book(request, agent, form) -> Booking:
    """Book on the account's terms, within the account's own limits, as this agent."""
    account = agent.account
    # The portal is the account's second door: its bookings count in the same bucket as its
    # API key's, so a portal login cannot book past what the owner allowed the key.
    ratelimits.count_request(request, account=account)
    with ratelimits.booking_quota(request, account=account):
        return partner_booking_create(
            shop=account.shop,
            account=account,
            data=form.cleaned_data,
            slot_request=form.slot_request(),
            channel=Booking.Channel.PORTAL,
            client_ip=client_ip(request),
            agent=agent,
        )


def _booked_words(booking: Booking) -> str:
    return (
        f"Booked {booking.customer_name} on {booking.scheduled_date:%a %b %-d} at "
        f"{booking.scheduled_time:%H:%M} (reference {booking.reference})."
    )


@portal_view
def bookings(request, agent):
    """This account's bookings, newest first, searchable by name, phone, WO# and reference."""
    account = agent.account
    search = BookingSearchForm(request.GET)
    query = search.cleaned_data["q"].strip() if search.is_valid() else ""
    rows = (
        Booking.objects.live()
        .filter(account=account, shop=account.shop)
        .select_related("agent__user")
        .order_by("-created_at")
    )
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
def cancel(request, agent, pk):
    account = agent.account
    # Scoped to the account: another partner's booking is a 404, as if it did not exist.
    booking = get_object_or_404(Booking.objects.live(), pk=pk, account=account, shop=account.shop)
    try:
        # The shop did not make this change, so it hears of it, as when a customer cancels.
        booking_cancel(booking=booking, notify_shop=True)
    except BookingError as exc:
        messages.error(request, refusals.for_dispatcher(exc))
    else:
        messages.success(request, f"Cancelled the booking of {booking.customer_name}.")
    return redirect(
        _local_url(request, request.POST.get("back", ""), reverse("scheduler-bookings"))
    )


@portal_view
def reschedule(request, agent, pk):
    """A new day and time for one of the account's bookings, through the booking service."""
    account = agent.account
    booking = get_object_or_404(Booking.objects.live(), pk=pk, account=account, shop=account.shop)
    if not booking.holds_seat:
        messages.error(request, refusals.for_dispatcher(BookingError(refusals.NOT_MOVABLE)))
        return redirect("scheduler-bookings")
    form = PortalRescheduleForm(request.POST if request.method == "POST" else None, account=account)
    if form.is_valid():
        try:
            # The shop did not make this change, so it hears of it, as when a customer moves it.
            moved = booking_reschedule(
                booking=booking, slot_request=form.slot_request(), notify_shop=True
            )
        except BookingError as exc:
            field = exc.field if exc.field in form.fields else None
            form.add_error(field, refusals.for_dispatcher(exc))
        else:
            messages.success(request, _moved_words(moved))
            return redirect("scheduler-bookings")
    context = {"account": account, "booking": booking, "form": form}
    context["days"] = _days_ahead(account.shop)
    return render(request, "scheduler_accounts/reschedule.html", context)


def _moved_words(booking: Booking) -> str:
    moved = "Moved" if not booking.reassigned else "Moved (the time asked for was full)"
    return (
        f"{moved}: {booking.customer_name} is now on {booking.scheduled_date:%a %b %-d} at "
        f"{booking.scheduled_time:%H:%M}."
    )


@portal_view
def report(request, agent):
    """The account's own bookings by source tag, week by week (booking.source_report)."""
    account = agent.account
    shop = account.shop
    form = ReportRangeForm(request.GET or None, today=shop.today())
    first, last = form.weeks()
    bookings = Booking.objects.live().filter(account=account, shop=shop)
    found = source_report(bookings, tz=shop.tz, first=first, last=last)
    context = {"account": account, "form": form, "report": found, "chart": found.chart()}
    return render(request, "scheduler_accounts/report.html", context)


@portal_view
def api_key(request, agent):
    """The keys' prefixes and last use; POST rotates the API key (or, with key=test, a test key
    the owner issued) and shows the new key, this once."""
    account = agent.account
    new_key, test = None, request.POST.get("key") == "test"
    if request.method == "POST" and not (test and account.test_key_status != "active"):
        new_key = scheduler_account_rotate_key(account=account, test=test)
    context = {"account": account, "new_key": new_key, "new_key_is_test": test}
    return render(request, "scheduler_accounts/api_key.html", context)
