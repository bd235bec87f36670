"""The technician's door: their day page and calendar feed, reached by the signed link.

No login: the link is the key (technicians/links.py), and the owner reissues it to lock an
old one out. Plain forms with CSRF tokens, so the page works on any phone without JavaScript.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.dateformat import time_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from technicians.day import (
    DayNav,
    JobRefused,
    can_finish,
    day_jobs,
    job_done,
    job_of,
    job_on_my_way,
)
from technicians.feed import technician_feed
from technicians.links import day_path, subscribe_url, technician_for_token


def _link_view(view):
    """Pass the view the technician its link names, or answer that the link is gone."""

    @wraps(view)
    def wrapper(request, token: str, **kwargs):
        technician = technician_for_token(token)
        if technician is None:
            # One answer for forged, altered and reissued links: none reveals which it was.
            return render(request, "technicians/gone.html", status=404)
        return view(request, technician, **kwargs)

    return wrapper


def _job_or_404(technician, booking_id):
    booking = job_of(technician, booking_id)
    if booking is None:
        raise Http404("No such job on your day.")
    return booking


def _back_to(technician, booking):
    return redirect(f"{day_path(technician, booking.scheduled_date)}#job-{booking.pk}")


@never_cache
@require_safe
@_link_view
def day_page(request, technician, day: str = ""):
    try:
        shown = dt.date.fromisoformat(day) if day else technician.shop.today()
    except ValueError:
        raise Http404("Not a day.") from None
    nav = DayNav(shown, technician.shop.today())
    context = {
        "technician": technician,
        "shop": technician.shop,
        "nav": nav,
        "jobs": [(job, can_finish(job)) for job in day_jobs(technician, shown)],
        "previous_url": day_path(technician, nav.previous),
        "next_url": day_path(technician, nav.next),
        "today_url": day_path(technician),
        "subscribe_url": subscribe_url(technician),
    }
    return render(request, "technicians/day.html", context)


@never_cache
@require_POST
@_link_view
def on_my_way(request, technician, booking_id):
    booking = _job_or_404(technician, booking_id)
    try:
        job_on_my_way(technician=technician, booking=booking)
    except JobRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{booking.customer_name} was e-mailed: you are on the way.")
    return _back_to(technician, booking)


@never_cache
@require_POST
@_link_view
def done(request, technician, booking_id):
    booking = _job_or_404(technician, booking_id)
    try:
        job_done(technician=technician, booking=booking)
    except JobRefused as refused:
        messages.error(request, str(refused))
    else:
        arrival = time_format(booking.scheduled_time, "g:i A")
        messages.success(request, f"Done: {booking.customer_name}'s {arrival} job.")
    return _back_to(technician, booking)


@require_safe
@_link_view
def feed(request, technician):
    response = HttpResponse(technician_feed(technician), content_type="text/calendar")
    response["Content-Disposition"] = 'inline; filename="jobs.ics"'
    # A calendar app fetches again on its own schedule; a cache in between must not answer.
    response["Cache-Control"] = "no-cache, private"
    return response
