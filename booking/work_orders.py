"""Work-order dedupe (DESIGN 9): one open booking per work order, enforced by the database.

A partner that re-sends a work order (a retry after a timeout, a platform that sends an order
twice) must not book it twice. Booking's conditional unique constraint
`one_open_booking_per_work_order` allows one booking per (shop, source as stored, work order
number) among those that hold a seat and are not repeat visits, so however many requests race,
one INSERT wins; booking_create answers the others with DuplicateWorkOrder and the open booking.
A completed or cancelled booking holds no seat, so the order books again (a return visit).
A partner's test bookings dedupe among themselves (is_test is in the constraint).

Staff may book a second visit of an open order on purpose (by phone, or by giving a booking
that order's number): it is saved as a repeat visit, which the constraint leaves out.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from booking.models import Booking
from tenants.models import Shop


def insert_staff_booking(booking: Booking) -> None:
    """INSERT a booking staff made; one of an order that is open already is a repeat visit."""
    try:
        with transaction.atomic():
            booking.save(force_insert=True)
    except IntegrityError:
        booking.repeat_visit = True
        booking.save(force_insert=True)


def open_booking_of_order(
    shop: Shop, source: str, work_order_number: str, is_test: bool = False
) -> Booking | None:
    """The open booking of this work order (a test booking's: the open test booking), as the
    constraint sees it."""
    if not work_order_number:
        return None
    return Booking.objects.filter(
        shop=shop,
        source=source,
        work_order_number=work_order_number,
        status__in=Booking.SEAT_HOLDING,
        repeat_visit=False,
        is_test=is_test,
    ).first()


def save_details(booking: Booking, fields: list[str]) -> None:
    """Save staff's edit; one that gives the booking an open order's number is a repeat visit."""
    if not {"source", "work_order_number"} & set(fields):
        booking.save(update_fields=fields)
        return
    try:
        with transaction.atomic():
            booking.save(update_fields=fields)
    except IntegrityError:
        booking.repeat_visit = True
        booking.save(update_fields=[*fields, "repeat_visit"])
