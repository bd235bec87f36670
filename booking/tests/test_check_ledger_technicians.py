"""`manage.py check_ledger` for technicians: their time (Occupancy rows) equals the spans of the
assigned bookings that hold a seat, and nobody is on two overlapping jobs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError

from booking import ledger
from booking.models import Booking, Occupancy
from booking.services import booking_assign, booking_cancel, booking_reschedule, booking_set_status
from booking.tests.helpers import book, check_ledger
from technicians.tests.helpers import hire


@pytest.fixture
def mike(shop_a):
    return hire(shop_a, "Mike Ross")


def test_technician_time_written_by_the_services_adds_up(shop_a, day, mike):
    ann = hire(shop_a, "Ann Lee")
    moved = book(shop_a, day, "09:00")
    book(shop_a, day, "09:00")
    booking_reschedule(booking=moved, new_date=day, new_time=dt.time(13))
    booking_assign(booking=moved, technician=mike if moved.technician == ann else ann)
    booking_cancel(booking=book(shop_a, day, "15:00"))
    booking_set_status(booking=book(shop_a, day, "11:00"), status=Booking.Status.COMPLETED)

    assert check_ledger() == "The ledger adds up.\n"


def test_missing_and_stray_technician_time_is_named_and_repaired(shop_a, day, mike):
    short = book(shop_a, day, "09:00")
    cancelled = book(shop_a, day, "13:00")
    Occupancy.objects.filter(booking=short, time__gte=dt.time(10)).delete()
    # A cancel that gave back nothing: its seat and its technician's time stay taken.
    Booking.objects.filter(pk=cancelled.pk).update(status=Booking.Status.CANCELLED)

    with pytest.raises(CommandError, match="3 problem"):
        check_ledger()
    output = check_ledger("--repair")

    assert f"{shop_a.slug} {day:%Y-%m-%d} 09:00 (Mike Ross): 6 five-minute row(s) missing" in output
    assert f"booking {cancelled.reference} holds 18 five-minute row(s)" in output
    assert "rewrote 18 five-minute rows" in output
    assert "deleted the technician time of a booking that holds none" in output
    assert check_ledger() == "The ledger adds up.\n"
    assert not Occupancy.objects.filter(booking=cancelled).exists()


def test_a_double_booked_technician_is_named_and_left_to_a_person(shop_a, day, mike):
    first = book(shop_a, day, "09:00")  # 09:00-10:30
    second = book(shop_a, day, "11:00")
    # Written around the constraint, as a hand edit of the database would.
    Occupancy.objects.filter(booking=second).delete()
    Booking.objects.filter(pk=second.pk).update(scheduled_time=dt.time(10))

    with pytest.raises(CommandError):
        check_ledger("--repair")
    findings = [finding.message for finding in ledger.run_checks()]

    assert f"{shop_a.slug}: Mike Ross is double-booked: {day:%Y-%m-%d} 09:00-10:30 and " in (
        " ".join(findings)
    )
    assert first.technician == second.technician


def test_a_shop_of_technicians_may_start_more_jobs_than_seats(shop_a, day):
    for name in ("Ann Lee", "Bo Diaz", "Cy Park"):
        hire(shop_a, name)

    for _ in range(3):
        book(shop_a, day, "09:00")

    assert ledger.over_capacity_findings() == []
    assert check_ledger() == "The ledger adds up.\n"
