"""The bookings admin's own pages: the calendar, its JSON feed, a card's move page and the CSV
export.

Each view loads, authorises, calls a helper below or a service, and responds; the calendar's grid
is built in calendar_data. BookingAdmin mixes these in and get_urls() adds them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from booking import refusals, slots
from booking.admin import calendar_data
from booking.admin.csv_export import csv_response
from booking.admin.filters import source_names
from booking.admin.forms import NOT_OWNER_OVERBOOK, MoveForm, full_hint, start_time_choices
from booking.admin.shops import scoped_shops, shop_for_request
from booking.admin.source_colours import NO_SOURCE, source_colour
from booking.models import Booking
from booking.services import BookingError, SlotFull, booking_reschedule
from tenants.access import is_shop_owner
from tenants.models import Shop

# A week: what the week view shows. At a busy shop (1,000 bookings a week) that is the most one
# answer carries and stays a few hundred kilobytes; longer ranges are asked week by week.
FEED_MAX_DAYS = 7
COMPACT = {"separators": (",", ":")}  # no blanks between a thousand bookings' fields
FEED_ID = "00000000-0000-0000-0000-000000000000"  # stands for {id} in change_url
CALENDAR_REACH_DAYS = 20 * 366
NO_DATE_OR_TIME = "Pick a date and a start time to move the booking to."
WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class BookingPages:
    """Mixin for the bookings' ModelAdmin: its pages beside Django's list and change form."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("calendar/", wrap(self.calendar_view), name="booking_booking_calendar"),
            path("calendar/feed/", wrap(self.feed_view), name="booking_booking_feed"),
            path(
                "calendar/<uuid:booking_id>/move/",
                wrap(self.move_view),
                name="booking_booking_move",
            ),
            path("export/", wrap(self.export_view), name="booking_booking_export"),
            *super().get_urls(),
        ]

    def calendar_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        shop = shop_for_request(request, self)
        query = CalendarQuery.from_request(request, shop)
        span = query.span
        bookings = query.filter(
            calendar_data.bookings_between(self.get_queryset(request), shop, span.first, span.last)
        )
        if span.view == "month":
            bookings = calendar_data.first_of_each_day(bookings)
        cal = calendar_data.build_calendar(shop=shop, span=span, bookings=bookings)
        if query.out_of_range:
            messages.warning(request, f"{query.out_of_range} is out of range: showing today.")
        context = {
            **self.admin_site.each_context(request),
            **calendar_context(query, cal),
            "title": f"{shop.name}: {span.title}",
            "opts": self.model._meta,
            "shops": shop_choices(request, self),
            "can_move": self.has_change_permission(request),
        }
        return TemplateResponse(request, "admin/booking/booking/calendar.html", context)

    def feed_view(self, request):
        """Bookings of one shop between two dates, as JSON, for scripts and calendars."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        shop = shop_for_request(request, self)
        try:
            first, last = feed_dates(request.GET)
        except ValueError as exc:
            return JsonResponse({"error": str(exc), "code": "invalid_field"}, status=400)
        bookings = calendar_data.bookings_between(self.get_queryset(request), shop, first, last)
        if request.GET.get("cancelled") != "1":
            bookings = bookings.exclude(status=Booking.Status.CANCELLED)
        return JsonResponse(feed_json(shop, first, last, bookings), json_dumps_params=COMPACT)

    def move_view(self, request, booking_id):
        """A calendar card's Move: its one form on GET, the move on POST; the service decides."""
        if request.method not in ("GET", "POST"):
            return HttpResponseNotAllowed(["GET", "POST"])
        booking = get_object_or_404(
            self.get_queryset(request).select_related("shop__booking_settings"), pk=booking_id
        )
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        if request.method == "GET":
            return self.move_page(request, booking)
        back = back_to_calendar(request)
        form = MoveForm(request.POST)
        before = when_booked(booking)
        refusal = NO_DATE_OR_TIME
        if form.is_valid():
            refusal = move_booking(request, booking, **form.cleaned_data)
        if refusal:
            messages.error(request, refusal)
            return HttpResponseRedirect(back)
        after = when_booked(booking)
        self.log_change(request, booking, f"Moved from {before} to {after} on the calendar.")
        note = " (overbooked)" if booking.overbooked else ""
        messages.success(request, f"Moved {booking.customer_name} to {after}{note}.")
        return HttpResponseRedirect(back)

    def move_page(self, request, booking: Booking):
        """The one Move form, for the booking whose card was clicked: no card carries its own."""
        context = {
            **self.admin_site.each_context(request),
            "title": f"Move {booking.customer_name}",
            "opts": self.model._meta,
            "booking": booking,
            "holds_seat": booking.holds_seat,
            "start_time_choices": start_time_choices(
                booking.shop.booking_settings, booking.scheduled_time
            ),
            "can_overbook": is_shop_owner(request, booking.shop_id),
            "back": came_from(request, booking),
        }
        return TemplateResponse(request, "admin/booking/booking/move.html", context)

    def export_view(self, request):
        """The changelist's filtered, searched list, every page of it, as CSV."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            changelist = self.get_changelist_instance(request)
        except IncorrectLookupParameters:
            return HttpResponseRedirect(reverse("admin:booking_booking_changelist") + "?e=1")
        return csv_response(changelist.queryset)


# --- The calendar -------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarQuery:
    """What the calendar page was asked for: a shop, a view around a date, and its filters."""

    shop: Shop
    view: str
    anchor: dt.date
    today: dt.date
    source: str
    status: str
    show_cancelled: bool
    out_of_range: str = ""  # a date asked for beyond the calendar's reach, shown instead

    @classmethod
    def from_request(cls, request, shop: Shop) -> CalendarQuery:
        query = request.GET
        today = shop.today()
        try:
            anchor = dt.date.fromisoformat(query.get("date", ""))
        except ValueError:
            anchor = today
        out_of_range = ""
        if abs((anchor - today).days) > CALENDAR_REACH_DAYS:
            # Far-off dates are typos, and the ends of the calendar overflow: today instead.
            anchor, out_of_range = today, anchor.isoformat()
        return cls(
            shop=shop,
            view=query.get("view") if query.get("view") in calendar_data.VIEWS else "week",
            anchor=anchor,
            today=today,
            source=query.get("source", ""),
            status=query.get("status", ""),
            show_cancelled=query.get("cancelled") == "1",
            out_of_range=out_of_range,
        )

    @property
    def span(self) -> calendar_data.Span:
        return calendar_data.span_for(self.view, self.anchor)

    def filter(self, bookings):
        """`bookings` narrowed to the source and status asked for; cancelled ones on request."""
        if self.source == NO_SOURCE:
            # The legend calls an empty source "direct"; a partner may also send that word.
            bookings = bookings.filter(source__in=["", NO_SOURCE])
        elif self.source:
            bookings = bookings.filter(source=self.source)
        if self.status in Booking.Status.values:
            return bookings.filter(status=self.status)
        if not self.show_cancelled:
            return bookings.exclude(status=Booking.Status.CANCELLED)
        return bookings

    def url(self, **changes) -> str:
        """This page's query string with `changes`, keeping the filters."""
        query = {
            "shop": self.shop.pk,
            "view": self.view,
            "date": self.anchor.isoformat(),
            "source": self.source,
            "status": self.status,
            "cancelled": "1" if self.show_cancelled else "",
            **changes,
        }
        return "?" + urlencode({k: v for k, v in query.items() if v not in ("", None)})


def calendar_context(query: CalendarQuery, cal: calendar_data.Calendar) -> dict:
    """The calendar template's grid, filters and links; each day links to its day view."""
    for day in cal.days:
        day.url = query.url(view="day", date=day.date.isoformat())
    return {"cal": cal, **toolbar_context(query), "weekday_names": WEEKDAY_NAMES}


def toolbar_context(query: CalendarQuery) -> dict:
    """The calendar's toolbar (the grid's and the board's): date steps, views and filters. The
    sources offered are bounded to the dates around the one shown (filters.source_names), never
    a scan of all the shop's bookings."""
    shops = Shop.objects.filter(pk=query.shop.pk)
    sources = source_names(Booking.objects.live().filter(shop=query.shop), shops, query.anchor)
    if query.source:
        sources.add("" if query.source == NO_SOURCE else query.source)
    return {
        "shop": query.shop,
        "view": query.view,
        "today": query.today,
        "source": query.source,
        "status": query.status,
        "show_cancelled": query.show_cancelled,
        "statuses": Booking.Status.choices,
        "all_sources": list(dict.fromkeys(s or NO_SOURCE for s in sorted(sources))),
        "nav": {
            "previous": query.url(date=query.span.previous.isoformat()),
            "today": query.url(date=query.today.isoformat()),
            "next": query.url(date=query.span.following.isoformat()),
            "day": query.url(view="day"),
            "week": query.url(view="week"),
            "month": query.url(view="month"),
        },
    }


def shop_choices(request, model_admin) -> list[tuple[int, str]]:
    """The shop picker's choices; none for a user of one shop."""
    shops = list(
        scoped_shops(request, model_admin).order_by("name").values_list("pk", "name")[:200]
    )
    return shops if len(shops) > 1 else []


# --- The feed -----------------------------------------------------------------------------


def feed_dates(query) -> tuple[dt.date, dt.date]:
    """The feed's start and end; ValueError in the words the feed answers with."""
    try:
        first = dt.date.fromisoformat(query.get("start", ""))
        last = dt.date.fromisoformat(query.get("end", ""))
    except ValueError:
        raise ValueError("start and end must be dates like 2026-12-01") from None
    if last < first or (last - first).days >= FEED_MAX_DAYS:
        raise ValueError(
            f"end must be on or after start and at most {FEED_MAX_DAYS} days in all: "
            "ask for a longer range week by week"
        )
    return first, last


def feed_json(shop: Shop, first: dt.date, last: dt.date, bookings) -> dict:
    """The feed's answer: the shop, the dates asked for, and its bookings in calendar order.

    What every booking would repeat is said once: the change page's address (`change_url`
    with the booking's id for {id}) and each source's colour (`colours`).
    """
    rows = [feed_booking(booking, shop.tz) for booking in bookings]
    return {
        "shop": {
            "id": shop.pk,
            "slug": shop.slug,
            "name": shop.name,
            "time_zone": shop.time_zone,
        },
        "start": first.isoformat(),
        "end": last.isoformat(),
        "change_url": reverse("admin:booking_booking_change", args=[FEED_ID]).replace(
            FEED_ID, "{id}"
        ),
        "colours": {row["source"]: source_colour(row["source"]) for row in rows},
        "bookings": rows,
    }


def feed_booking(b: Booking, tz: dt.tzinfo) -> dict:
    """One booking in the feed, its start an aware time at the shop; the partner's numbers and
    the marks only when it has them, so a busy week stays small."""
    row = {
        "id": str(b.pk),
        "start": dt.datetime.combine(b.scheduled_date, b.scheduled_time, tzinfo=tz).isoformat(),
        "window": b.window,
        "customer": b.customer_name,
        "phone": str(b.phone),
        "appliance": b.appliance_type,
        "source": b.source,
        "status": b.status,
        "channel": b.channel,
    }
    optional = {
        "work_order_number": b.work_order_number,
        "claim_number": b.claim_number,
        "authorization_number": b.authorization_number,
        "overbooked": b.overbooked,
        "possible_duplicate": b.possible_duplicate_of_id is not None,
    }
    return row | {name: value for name, value in optional.items() if value}


# --- A card's move ------------------------------------------------------------------------


def back_to_calendar(request) -> str:
    """Where the move form came from, if it is on this site; else the calendar."""
    back = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("admin:booking_booking_calendar")


def came_from(request, booking: Booking) -> str:
    """Where the move page goes back to: the calendar page that linked to it, if on this site
    (the cards' links carry no `next`, to stay small); else the booking's week."""
    for back in (request.GET.get("next", ""), request.META.get("HTTP_REFERER", "")):
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return back
    query = urlencode({"shop": booking.shop_id, "date": booking.scheduled_date.isoformat()})
    return f"{reverse('admin:booking_booking_calendar')}?{query}"


def when_booked(booking: Booking) -> str:
    """A booking's date and start time, as the calendar's messages say them."""
    return f"{booking.scheduled_date:%a %b %d} {slots.clock(booking.scheduled_time)}"


def move_booking(
    request, booking: Booking, *, date: dt.date, time: dt.time, overbook: bool
) -> str | None:
    """Move `booking` as a calendar card asked: None when moved, else why not, in words."""
    if overbook and not is_shop_owner(request, booking.shop_id):
        return NOT_OWNER_OVERBOOK
    try:
        booking_reschedule(booking=booking, new_date=date, new_time=time, allow_overbook=overbook)
    except SlotFull as exc:
        hint = full_hint(request, booking.shop_id)
        return f"{booking.customer_name} was not moved: {exc.message}. {hint}"
    except BookingError as exc:
        message = refusals.for_dispatcher(exc)
        return f"{booking.customer_name} was not moved: {message}."
    return None
