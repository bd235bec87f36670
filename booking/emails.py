"""The e-mails themselves: subject, plain text, HTML and attachments for one Notification."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.dateformat import format as date_format
from django.utils.dateformat import time_format

from booking.ics import booking_ics
from booking.models import Booking, Notification
from booking.self_service import booking_link
from technicians.links import day_url

Kind = Notification.Kind

# The customer reads the arrival they were promised (a window, or the exact time they asked
# for); the shop reads the exact start its technician is booked at.
SUBJECTS = {
    Kind.CONFIRMATION: "Booked: {appliance} repair on {day}, arriving {promise} (ref {ref})",
    Kind.REMINDER: "Reminder: {shop} comes {day}, arriving {promise} (ref {ref})",
    Kind.CANCELLED: "Cancelled: your {appliance} repair on {day} (ref {ref})",
    Kind.RESCHEDULED: "New time: {appliance} repair on {day}, arriving {promise} (ref {ref})",
    Kind.SHOP_NEW: "New booking: {customer}, {appliance}, {day} {arrival} ({source})",
    Kind.SHOP_CANCELLED: "Booking cancelled: {customer}, {appliance}, {day} {arrival}",
    Kind.SHOP_RESCHEDULED: "Booking moved: {customer}, {appliance}, now {day} {arrival}",
    Kind.ON_MY_WAY: "On the way: {technician} from {shop} is coming to you now (ref {ref})",
    # The technician reads the job's place on their day: for a job taken off, where it was.
    Kind.TECHNICIAN_ADDED: "Added to your day: {appliance}, {customer}, {day} {arrival}",
    Kind.TECHNICIAN_MOVED: "Moved on your day: {appliance}, {customer}, now {day} {arrival}",
    Kind.TECHNICIAN_REMOVED: "Off your day: {appliance}, {customer}, {day} {arrival}",
}
# The customer gets the event for their calendar whenever the time is (newly) set.
WITH_CALENDAR = {Kind.CONFIRMATION, Kind.RESCHEDULED}


def admin_link(booking: Booking) -> str:
    return settings.SITE_URL + reverse("admin:booking_booking_change", args=[booking.pk])


def _spot(notification: Notification) -> tuple:
    """The day and start the e-mail tells: the technician's as queued, else the booking's now."""
    if notification.to_technician:
        return notification.scheduled_date, notification.scheduled_time
    return notification.booking.scheduled_date, notification.booking.scheduled_time


def _technician(notification: Notification):
    return notification.technician or notification.booking.technician


def _context(notification: Notification) -> dict:
    booking = notification.booking
    shop = booking.shop
    day, start = _spot(notification)
    technician = _technician(notification)
    return {
        "notification": notification,
        "booking": booking,
        "shop": shop,
        "shop_phone": shop.phone.as_national if shop.phone else "",
        "customer_phone": booking.phone.as_national if booking.phone else "",
        "day": date_format(day, "l, F j, Y"),
        "arrival": time_format(start, "g:i A"),
        "window": booking.window_label(),
        "promised_arrival": booking.promised_arrival,
        "manage_url": booking_link(booking) if notification.to_customer else "",
        "admin_url": "" if notification.to_customer else admin_link(booking),
        "technician": technician,
        "day_url": day_url(technician, day) if notification.to_technician and technician else "",
        "source": booking.source or booking.get_channel_display(),
    }


def subject_for(notification: Notification) -> str:
    booking = notification.booking
    day, start = _spot(notification)
    technician = _technician(notification)
    subject = SUBJECTS[notification.kind].format(
        appliance=booking.appliance_type,
        day=date_format(day, "D, M j"),
        arrival=time_format(start, "g:i A"),
        technician=technician.first_name if technician else "your technician",
        promise=booking.promised_arrival,
        ref=booking.reference,
        shop=booking.shop.name,
        customer=booking.customer_name,
        source=booking.source or booking.get_channel_display(),
    )
    # A header cannot hold a line break, whatever a partner put in a name.
    return " ".join(subject.split())


def message_id(notification: Notification, from_address: str) -> str:
    """One Message-ID per notification (the booking's id is a UUID, so unique across sites)."""
    domain = from_address.rpartition("@")[2] or "applianceops.local"
    return f"<{notification.booking_id}.{notification.pk}@{domain}>"


def build_message(notification: Notification) -> EmailMultiAlternatives:
    booking = notification.booking
    shop = booking.shop
    context = _context(notification)
    template = f"booking/email/{notification.kind}"
    from_address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    if notification.to_customer or notification.to_technician:
        # The customer and the technician see the shop's name as the sender; replies reach it.
        from_email = formataddr((shop.name, from_address))
        reply_to = [shop.notification_email] if shop.notification_email else []
    else:
        from_email = settings.DEFAULT_FROM_EMAIL
        reply_to = [booking.email] if booking.email else []
    message = EmailMultiAlternatives(
        subject=subject_for(notification),
        body=render_to_string(f"{template}.txt", context),
        from_email=from_email,
        to=[notification.recipient],
        reply_to=reply_to,
        # The same on every try: should a worker die between the mail server's "accepted" and
        # marking the row sent, the e-mail that goes out again is recognisably the same one.
        headers={"Message-ID": message_id(notification, from_address)},
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    if notification.kind in WITH_CALENDAR:
        message.attach(f"booking-{booking.reference}.ics", booking_ics(booking), "text/calendar")
    return message
