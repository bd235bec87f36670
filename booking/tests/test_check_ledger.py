"""`manage.py check_ledger`: every seat counter equals the bookings that hold a seat there."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from booking.models import Booking, SeatCounter
from booking.services import booking_cancel
from booking.tests.helpers import book, check_ledger, next_working_day, seats_taken

NINE, TEN = dt.time(9), dt.time(10)


def test_a_ledger_written_by_the_services_adds_up(shop_a, day):
    book(shop_a, day, NINE)
    booking_cancel(booking=book(shop_a, day, TEN))

    assert check_ledger() == "The ledger adds up.\n"


def test_it_names_each_counter_that_differs_and_exits_non_zero(shop_a, shop_b, day):
    book(shop_a, day, NINE)
    book(shop_a, day, TEN)
    SeatCounter.objects.filter(shop=shop_a, date=day, start_time=NINE).update(booked=2)
    # A seat given back twice (what the cancel/reschedule race did): the counter reads 0.
    SeatCounter.objects.filter(shop=shop_a, date=day, start_time=TEN).update(booked=0)

    out = StringIO()
    with pytest.raises(CommandError, match="2 problem"):
        call_command("check_ledger", stdout=out)

    assert out.getvalue().splitlines() == [
        f"seats: done-right-appliance {day:%Y-%m-%d} 09:00: the counter says 2 seat(s) taken, "
        "1 booking(s) hold one",
        f"seats: done-right-appliance {day:%Y-%m-%d} 10:00: the counter says 0 seat(s) taken, "
        "1 booking(s) hold one",
    ]


def test_a_booking_with_no_counter_row_is_a_mismatch(shop_a, day):
    booking = book(shop_a, day, NINE)
    SeatCounter.objects.filter(shop=shop_a).delete()

    with pytest.raises(CommandError):
        check_ledger()

    check_ledger("--repair")
    assert seats_taken(shop_a, day, NINE) == 1
    assert Booking.objects.get(pk=booking.pk).holds_seat


def test_repair_sets_each_counter_to_the_bookings_and_says_what_it_changed(shop_a, day):
    book(shop_a, day, NINE)
    booking_cancel(booking=book(shop_a, day, TEN))
    SeatCounter.objects.filter(shop=shop_a, date=day, start_time=NINE).update(booked=0)
    SeatCounter.objects.filter(shop=shop_a, date=day, start_time=TEN).update(booked=2)

    out = check_ledger("--repair")

    assert "  repaired: set the counter from 0 to 1" in out
    assert "  repaired: set the counter from 2 to 0" in out
    assert out.endswith("Repaired 2 problem(s).\n")
    assert (seats_taken(shop_a, day, NINE), seats_taken(shop_a, day, TEN)) == (1, 0)
    assert check_ledger() == "The ledger adds up.\n"


def test_completed_and_cancelled_bookings_hold_no_seat_in_the_count(shop_a, day):
    done = book(shop_a, day, NINE)
    Booking.objects.filter(pk=done.pk).update(status=Booking.Status.COMPLETED)

    # The status was changed behind the service's back, so its seat was never given back.
    with pytest.raises(CommandError):
        check_ledger()


def test_one_shop_can_be_checked_alone(shop_a, shop_b, day):
    book(shop_b, next_working_day(shop_b, days_ahead=3), NINE)
    SeatCounter.objects.filter(shop=shop_b).update(booked=5)

    assert check_ledger("--shop", shop_a.slug) == "The ledger adds up.\n"
    with pytest.raises(CommandError):
        check_ledger("--shop", shop_b.slug)
    with pytest.raises(CommandError, match="No shop"):
        check_ledger("--shop", "no-such-shop")
