"""The dispatch board's pages: the day as lanes of technicians, and a job's reassign form.

The calendar's day view is the board when the shop has technicians (the week and month keep
their start-time grid). Each card links to its reassign form: one form, no JavaScript needed;
the board's small script posts the same form when a card is dropped on a lane.
booking_reassign (technicians.services) decides; the form says why not in plain words.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme

from booking import refusals
from booking.admin import board as board_data
from booking.admin import calendar_data
from booking.admin.forms import start_time_choices
from booking.admin.pages import CalendarQuery, shop_choices, toolbar_context, when_booked
from booking.admin.shops import shop_for_request
from booking.models import Booking
from booking.services import BookingError
from technicians.models import Technician
from technicians.services import booking_reassign
from tenants.access import is_shop_owner


class BoardPages:
    """Mixin for the bookings' ModelAdmin, before BookingPages: the board and the reassign."""

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "calendar/<uuid:booking_id>/reassign/",
                wrap(self.reassign_view),
                name="booking_booking_reassign",
            ),
            *super().get_urls(),
        ]

    def calendar_view(self, request):
        """The day of a shop with technicians is the board; the rest is the calendar."""
        if request.GET.get("view") != "day" or not self.has_view_permission(request):
            return super().calendar_view(request)
        shop = shop_for_request(request, self)
        if not board_data.has_technicians(shop):
            return super().calendar_view(request)
        query = CalendarQuery.from_request(request, shop)
        day = query.anchor
        bookings = calendar_data.bookings_between(self.get_queryset(request), shop, day, day)
        board = board_data.build_board(shop=shop, day=day, bookings=query.filter(bookings))
        context = {
            **self.admin_site.each_context(request),
            **toolbar_context(query),
            "board": board,
            "title": f"{shop.name}: {query.span.title}",
            "opts": self.model._meta,
            "shops": shop_choices(request, self),
            "can_move": self.has_change_permission(request),
            "here": request.get_full_path(),
        }
        return TemplateResponse(request, "admin/booking/booking/board.html", context)

    def reassign_view(self, request, booking_id):
        """A job's reassign form: GET shows it, POST moves the job or says why not."""
        booking = self.booking_to_change(request, booking_id)
        form = ReassignForm(request.POST or None, booking=booking, request=request)
        if form.is_valid():
            before = where_booked(booking)
            refusal = reassign(booking, form.cleaned_data)
            if refusal is None:
                after = where_booked(booking)
                self.log_change(request, booking, f"Reassigned from {before} to {after}.")
                messages.success(request, f"{booking.customer_name}: {after}.")
                return HttpResponseRedirect(back_to_board(request))
            form.add_error(None, refusal)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Reassign {booking.customer_name}",
            "opts": self.model._meta,
            "booking": booking,
            "form": form,
            "next": back_to_board(request),
        }
        return TemplateResponse(request, "admin/booking/booking/reassign.html", context)

    def booking_to_change(self, request, booking_id) -> Booking:
        """A booking of the user's shops they may change; 404 for anyone else's."""
        booking = get_object_or_404(
            self.get_queryset(request).select_related("shop__booking_settings", "technician"),
            pk=booking_id,
        )
        if not self.has_change_permission(request, booking):
            raise PermissionDenied
        return booking


def back_to_board(request) -> str:
    """Where the form came from (posted, or on its link), if it is on this site; else the
    calendar."""
    back = request.POST.get("next") or request.GET.get("next", "")
    if url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return reverse("admin:booking_booking_calendar")


class ReassignForm(forms.Form):
    technician = forms.ModelChoiceField(
        queryset=Technician.objects.none(),
        required=False,
        empty_label=board_data.UNASSIGNED,
        help_text="Who does the job. Unassigned: nobody yet.",
    )
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    time = forms.TypedChoiceField(label="Start time", coerce=dt.time.fromisoformat)
    overbook = forms.BooleanField(
        required=False,
        label="Overbook",
        help_text="Owners only: beyond their shift, skills or time off; never over another job.",
    )

    def __init__(self, data=None, *, booking: Booking, request):
        super().__init__(
            data,
            initial={
                "technician": booking.technician_id,
                "date": booking.scheduled_date,
                "time": booking.scheduled_time.isoformat(),
            },
        )
        self.booking, self.request = booking, request
        # Its own technician stays a choice after being switched off: the form shows who has it.
        self.fields["technician"].queryset = Technician.objects.filter(
            Q(is_active=True) | Q(pk=booking.technician_id), shop=booking.shop_id
        )
        self.fields["time"].choices = start_time_choices(
            booking.shop.booking_settings, booking.scheduled_time
        )
        if not is_shop_owner(request, booking.shop_id):
            del self.fields["overbook"]

    def clean(self):
        cleaned = super().clean()
        if not self.booking.holds_seat:
            raise forms.ValidationError(BookingError(refusals.NOT_MOVABLE).message)
        return cleaned


def reassign(booking: Booking, cleaned: dict) -> str | None:
    """Reassign `booking` as the form says: None when done, else why not, in words."""
    try:
        booking_reassign(
            booking=booking,
            technician=cleaned["technician"],
            new_date=cleaned["date"],
            new_time=cleaned["time"],
            allow_overbook=cleaned.get("overbook", False),
        )
    except BookingError as exc:
        return f"{booking.customer_name} was not moved: {refusals.for_dispatcher(exc)}."
    return None


def where_booked(booking: Booking) -> str:
    """A job's time and technician, as the board's messages say them."""
    who = booking.technician.name if booking.technician else "nobody (unassigned)"
    return f"{when_booked(booking)} with {who}"
