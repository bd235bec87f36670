"""A technician's calendar feed (iCalendar, RFC 5545): their jobs, for a phone to subscribe to.

A calendar app fetches the feed again every so often and matches events by UID, so a job keeps
one UID for life and a move shows as the same event at a new time. SEQUENCE and LAST-MODIFIED
come from the booking's last change, so a changed job reads as newer; DTSTAMP is the same
moment, so an unchanged feed is byte for byte the same from one fetch to the next. A job taken
off the technician's day (cancelled, reassigned) leaves the feed, and the app removes it.
Built with the `icalendar` library, which escapes and folds every value (see booking/ics.py).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import icalendar
from django.conf import settings

from booking.ics import ical_text
from booking.models import Booking
from technicians.day import SHOWN
from technicians.links import day_url
from technicians.models import Technician

# How far back and ahead the feed reaches: last week's jobs stay readable, new ones show early.
DAYS_BACK = 14
DAYS_AHEAD = 90
# How often calendar apps that honour it fetch again (Google Calendar decides for itself).
REFRESH = dt.timedelta(minutes=15)


def feed_jobs(technician: Technician) -> list[Booking]:
    today = technician.shop.today()
    return list(
        Booking.objects.live()
        .filter(
            technician=technician,
            shop=technician.shop_id,
            status__in=SHOWN,
            scheduled_date__range=(
                today - dt.timedelta(days=DAYS_BACK),
                today + dt.timedelta(days=DAYS_AHEAD),
            ),
        )
        .select_related("shop__booking_settings")
        .order_by("scheduled_date", "scheduled_time")
    )


def job_event(booking: Booking, technician: Technician, host: str) -> icalendar.Event:
    changed = booking.updated_at.astimezone(dt.UTC).replace(microsecond=0)
    starts = booking.starts_at
    lines = [
        f"Customer: {booking.customer_name}",
        f"Phone: {booking.phone.as_national if booking.phone else ''}",
        f"Appliance: {booking.appliance_type}",
        f"Issue: {booking.issue}" if booking.issue else "",
        f"WO#: {booking.work_order_number}" if booking.work_order_number else "",
        f"Claim #: {booking.claim_number}" if booking.claim_number else "",
        f"Authorization #: {booking.authorization_number}" if booking.authorization_number else "",
        f"Reference: {booking.reference}",
        f"Your day: {day_url(technician, booking.scheduled_date)}",
    ]
    done = " (done)" if booking.status == Booking.Status.COMPLETED else ""
    event = icalendar.Event()
    # Not the customer's UID (booking-...): the two calendars hold two different events.
    event.add("uid", f"job-{booking.pk}@{host}")
    event.add("dtstamp", changed)
    event.add("last-modified", changed)
    event.add("sequence", int(changed.timestamp()))
    event.add("dtstart", starts.astimezone(dt.UTC))
    event.add("dtend", (starts + dt.timedelta(minutes=booking.job_minutes)).astimezone(dt.UTC))
    event.add("summary", ical_text(f"{booking.appliance_type}: {booking.customer_name}{done}"))
    event.add("location", ical_text(booking.address))
    event.add("description", ical_text("\n".join(line for line in lines if line)))
    event.add("status", "CONFIRMED")
    return event


def technician_feed(technician: Technician) -> bytes:
    """The VCALENDAR of the technician's jobs from DAYS_BACK ago to DAYS_AHEAD on."""
    host = urlsplit(settings.SITE_URL).hostname or "applianceops"
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", "-//ApplianceOps//Technician day//EN")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"{technician.shop.name}: {technician.first_name}'s jobs")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    for booking in feed_jobs(technician):
        calendar.add_component(job_event(booking, technician, host))
    return calendar.to_ical()
