"""booking_create, booking_cancel, booking_reschedule, booking_set_status: the only write path."""

from __future__ import annotations

import datetime as dt

import pytest

from booking import refusals, slots
from booking.models import Booking, SeatCounter
from booking.services import (
    BookingDisabled,
    BookingError,
    NoAvailability,
    SlotFull,
    booking_cancel,
    booking_reschedule,
    booking_set_status,
)
from booking.tests.helpers import book, next_working_day, seats_taken

T = dt.time


@pytest.fixture
def other_day(shop_a, day):
    return next_working_day(shop_a, days_ahead=(day - shop_a.today()).days + 1)


# --- booking_create -----------------------------------------------------------------------


def test_creating_takes_a_seat(shop_a, day):
    booking = book(shop_a, day)

    assert (booking.scheduled_time, booking.window) == (T(9), "am")
    assert seats_taken(shop_a, day, T(9)) == 1


def test_a_shop_with_booking_off_refuses(shop_a, day):
    shop_a.booking_settings.booking_enabled = False
    shop_a.booking_settings.save()

    with pytest.raises(BookingDisabled):
        book(shop_a, day)

    assert not Booking.objects.exists()


def test_staff_still_book_phone_jobs_while_online_booking_is_off(shop_a, day):
    shop_a.booking_settings.booking_enabled = False
    shop_a.booking_settings.save()

    booking = book(shop_a, day, channel=Booking.Channel.ADMIN)

    assert booking.channel == Booking.Channel.ADMIN


@pytest.fixture
def service_area(shop_a):
    shop_a.booking_settings.service_zip_codes = ["93534", "93535"]
    shop_a.booking_settings.save()


def test_an_address_inside_the_service_area_is_booked(shop_a, day, service_area):
    assert book(shop_a, day, address="9 Elm St, Lancaster CA 93535-1234").pk


def test_an_address_outside_the_service_area_is_refused(shop_a, day, service_area):
    with pytest.raises(BookingError) as exc:
        book(shop_a, day, address="1 Ocean Ave, Santa Monica CA 90401")

    assert exc.value.code == "outside_service_area"
    assert "90401" in exc.value.message
    assert not SeatCounter.objects.exists()


def test_an_address_without_a_zip_is_refused_when_the_area_is_limited(shop_a, day, service_area):
    with pytest.raises(BookingError, match="must include a ZIP code"):
        book(shop_a, day, address="123 Main St, Lancaster CA")


def test_a_staff_overbook_takes_a_full_start_anyway(shop_a, day):
    book(shop_a, day)
    book(shop_a, day)

    booking = book(shop_a, day, allow_overbook=True)

    assert booking.scheduled_time == T(9)
    assert booking.overbooked is True
    assert seats_taken(shop_a, day, T(9)) == 3


def test_a_refused_day_carries_its_reason_and_the_shops_today(shop_a, day):
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)
    shop_a.booking_settings.blackout_dates.create(date=day)
    refused = {}
    for asked in (shop_a.today() - dt.timedelta(days=1), saturday, day):
        with pytest.raises(BookingError) as exc:
            book(shop_a, asked)
        refused[asked] = (exc.value.reason, exc.value.field, exc.value.facts["today"])

    today = shop_a.today()
    assert list(refused.values()) == [
        (refusals.PAST, "scheduled_date", today),
        (refusals.NON_WORKING_DAY, "scheduled_date", today),
        (refusals.BLACKOUT, "scheduled_date", today),
    ]


def test_a_day_with_every_start_taken_is_refused_as_full(shop_a, day):
    capacity = shop_a.booking_settings.jobs_per_start_time
    for start in slots.start_times_of(shop_a.booking_settings):
        SeatCounter.objects.create(shop=shop_a, date=day, start_time=start, booked=capacity)

    with pytest.raises(NoAvailability) as exc:
        book(shop_a, day)

    assert exc.value.reason == refusals.FULL
    assert exc.value.facts["day"] == day


def test_a_day_whose_starts_are_all_inside_the_notice_is_refused_as_too_soon(shop_a, freeze_now):
    freeze_now(dt.datetime(2026, 3, 3, 0, 0, tzinfo=dt.UTC))  # Monday 16:00 in Lancaster

    with pytest.raises(NoAvailability) as exc:
        book(shop_a, dt.date(2026, 3, 2))

    assert exc.value.reason == refusals.TOO_SOON


def test_a_time_outside_the_shops_hours_is_refused_naming_them(shop_a, day):
    with pytest.raises(BookingError) as exc:
        book(shop_a, day, T(18))

    assert exc.value.reason == refusals.OUTSIDE_HOURS
    assert exc.value.field == "time_slot"
    assert exc.value.message == "time_slot must be between 08:00 and 16:00"


# --- booking_cancel -----------------------------------------------------------------------


def test_cancelling_gives_the_seat_back(shop_a, day):
    first, _ = book(shop_a, day), book(shop_a, day)

    booking_cancel(booking=first)

    assert first.status == Booking.Status.CANCELLED
    assert seats_taken(shop_a, day, T(9)) == 1
    assert book(shop_a, day).scheduled_time == T(9)


def test_cancelling_twice_is_refused_and_gives_back_only_one_seat(shop_a, day):
    booking, _ = book(shop_a, day), book(shop_a, day)
    booking_cancel(booking=booking)

    with pytest.raises(BookingError) as exc:
        booking_cancel(booking=booking)

    assert exc.value.code == "not_cancellable"
    assert seats_taken(shop_a, day, T(9)) == 1


def test_a_completed_booking_cannot_be_cancelled(shop_a, day):
    book(shop_a, day)
    booking = booking_set_status(booking=book(shop_a, day), status=Booking.Status.COMPLETED)

    with pytest.raises(BookingError):
        booking_cancel(booking=booking)

    # The other booking's seat is untouched: a refused cancel gives nothing back.
    assert seats_taken(shop_a, day, T(9)) == 1


# --- booking_reschedule -------------------------------------------------------------------


def test_rescheduling_moves_the_seat(shop_a, day, other_day):
    booking = book(shop_a, day)
    Booking.objects.filter(pk=booking.pk).update(reminder_sent_at=dt.datetime.now(dt.UTC))

    moved = booking_reschedule(booking=booking, new_date=other_day, new_time=T(14))

    assert (moved.scheduled_date, moved.scheduled_time, moved.window) == (other_day, T(14), "pm")
    assert moved.reminder_sent_at is None
    assert seats_taken(shop_a, day, T(9)) == 0
    assert seats_taken(shop_a, other_day, T(14)) == 1


def test_rescheduling_to_the_same_time_changes_nothing(shop_a, day):
    booking = book(shop_a, day)

    booking_reschedule(booking=booking, new_date=day, new_time=T(9))

    assert seats_taken(shop_a, day, T(9)) == 1


def test_rescheduling_into_a_full_start_is_refused_and_keeps_the_old_seat(shop_a, day):
    booking = book(shop_a, day)
    book(shop_a, day, T(15))
    book(shop_a, day, T(15))

    with pytest.raises(SlotFull, match="15:00 on .* is full"):
        booking_reschedule(booking=booking, new_date=day, new_time=T(15))

    booking.refresh_from_db()
    assert booking.scheduled_time == T(9)
    assert seats_taken(shop_a, day, T(9)) == 1
    assert seats_taken(shop_a, day, T(15)) == 2


def test_staff_may_reschedule_into_a_full_start_as_an_overbook(shop_a, day):
    booking = book(shop_a, day)
    book(shop_a, day, T(15))
    book(shop_a, day, T(15))

    moved = booking_reschedule(booking=booking, new_date=day, new_time=T(15), allow_overbook=True)

    assert moved.overbooked is True
    assert seats_taken(shop_a, day, T(15)) == 3
    assert seats_taken(shop_a, day, T(9)) == 0


def test_without_technicians_a_move_unassigned_still_needs_a_seat_at_the_new_start(shop_a, day):
    booking = book(shop_a, day)
    book(shop_a, day, T(15))
    book(shop_a, day, T(15))

    with pytest.raises(SlotFull, match="15:00 on .* is full"):
        booking_reschedule(booking=booking, new_date=day, new_time=T(15), unassigned=True)
    moved = booking_reschedule(
        booking=booking, new_date=day, new_time=T(15), unassigned=True, allow_overbook=True
    )

    assert (moved.scheduled_time, moved.technician, moved.overbooked) == (T(15), None, True)
    assert (seats_taken(shop_a, day, T(9)), seats_taken(shop_a, day, T(15))) == (0, 3)


def test_rescheduling_to_a_weekend_is_refused(shop_a, day):
    booking = book(shop_a, day)
    saturday = day + dt.timedelta(days=(5 - day.weekday()) % 7)

    with pytest.raises(NoAvailability):
        booking_reschedule(booking=booking, new_date=saturday, new_time=T(9))


def test_rescheduling_to_a_time_that_is_not_a_start_is_refused(shop_a, day):
    booking = book(shop_a, day)

    with pytest.raises(BookingError, match="10:30 is not one of the shop's start times"):
        booking_reschedule(booking=booking, new_date=day, new_time=T(10, 30))


def test_rescheduling_inside_the_minimum_notice_is_refused(shop_a, freeze_now):
    freeze_now(dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC))  # Monday 09:00 in Lancaster
    booking = book(shop_a, dt.date(2026, 3, 2), T(14))

    with pytest.raises(BookingError) as exc:
        booking_reschedule(booking=booking, new_date=dt.date(2026, 3, 2), new_time=T(10))

    assert exc.value.code == "too_soon"


def test_a_cancelled_booking_cannot_be_moved(shop_a, day, other_day):
    booking = booking_cancel(booking=book(shop_a, day))

    with pytest.raises(BookingError) as exc:
        booking_reschedule(booking=booking, new_date=other_day, new_time=T(9))

    assert exc.value.code == "not_movable"
    assert seats_taken(shop_a, other_day, T(9)) == 0


def test_a_slot_request_move_is_placed_as_a_new_booking_would_be(shop_a, day, other_day):
    booking = book(shop_a, day)
    book(shop_a, other_day, T(12))
    book(shop_a, other_day, T(12))

    moved = booking_reschedule(
        booking=booking, slot_request=slots.SlotRequest(other_day, window=slots.PM)
    )

    assert (moved.scheduled_date, moved.scheduled_time) == (other_day, T(13))
    assert (moved.requested_time_slot, moved.reassigned) == ("pm", False)
    assert seats_taken(shop_a, day, T(9)) == 0
    assert seats_taken(shop_a, other_day, T(13)) == 1


def test_a_slot_request_for_a_full_day_is_no_availability(shop_a, day, other_day):
    booking = book(shop_a, day)
    SeatCounter.objects.bulk_create(
        SeatCounter(shop=shop_a, date=other_day, start_time=T(hour), booked=2)
        for hour in range(8, 17)
    )

    with pytest.raises(NoAvailability):
        booking_reschedule(booking=booking, slot_request=slots.SlotRequest(other_day))

    assert seats_taken(shop_a, day, T(9)) == 1


def test_a_slot_request_the_booking_already_meets_moves_nothing(shop_a, day):
    booking = book(shop_a, day, "10:00")

    moved = booking_reschedule(booking=booking, slot_request=slots.SlotRequest(day, window="am"))

    assert moved.scheduled_time == T(10)
    assert (moved.requested_time_slot, moved.reassigned) == ("am", False)
    assert seats_taken(shop_a, day, T(10)) == 1
    assert not moved.notifications.filter(kind="rescheduled").exists()


def test_rescheduling_needs_an_exact_start_or_a_slot_request(shop_a, day):
    booking = book(shop_a, day)

    with pytest.raises(TypeError):
        booking_reschedule(booking=booking, new_date=day)


def test_a_move_by_window_takes_its_earliest_start_with_room_and_promises_the_window(
    shop_a, day, other_day
):
    booking = book(shop_a, day, "10:00")
    book(shop_a, other_day, T(12))
    book(shop_a, other_day, T(12))

    moved = booking_reschedule(booking=booking, new_date=other_day, new_window="pm")

    assert (moved.scheduled_date, moved.scheduled_time) == (other_day, T(13))
    assert moved.requested_time_slot == "pm"
    assert moved.promised_arrival == "between 12 PM and 5 PM"
    assert seats_taken(shop_a, day, T(10)) == 0
    assert seats_taken(shop_a, other_day, T(13)) == 1


def test_a_move_into_a_full_window_is_refused_and_keeps_the_old_seat(shop_a, day, other_day):
    booking = book(shop_a, day)
    for hour in range(8, 12):
        book(shop_a, other_day, T(hour))
        book(shop_a, other_day, T(hour))

    with pytest.raises(NoAvailability) as exc:
        booking_reschedule(booking=booking, new_date=other_day, new_window="am")

    assert exc.value.reason == refusals.WINDOW_FULL
    booking.refresh_from_db()
    assert (booking.scheduled_date, booking.scheduled_time) == (day, T(9))
    assert seats_taken(shop_a, day, T(9)) == 1


def test_a_move_to_the_window_it_is_in_changes_nothing(shop_a, day):
    booking = book(shop_a, day, "AM")

    moved = booking_reschedule(booking=booking, new_date=day, new_window="am")

    assert moved.scheduled_time == T(8)
    assert seats_taken(shop_a, day, T(8)) == 1


# --- booking_set_status -------------------------------------------------------------------


def test_a_booking_is_confirmed_then_completed(shop_a, day):
    booking = book(shop_a, day)

    booking_set_status(booking=booking, status=Booking.Status.CONFIRMED)
    assert booking.status == Booking.Status.CONFIRMED
    booking_set_status(booking=booking, status=Booking.Status.COMPLETED)
    assert booking.status == Booking.Status.COMPLETED
    # Only scheduled and confirmed bookings hold a seat: the finished job gives it back.
    assert seats_taken(shop_a, day, T(9)) == 0


def test_a_completed_booking_cannot_go_back_to_confirmed(shop_a, day):
    booking = booking_set_status(booking=book(shop_a, day), status=Booking.Status.COMPLETED)

    with pytest.raises(BookingError) as exc:
        booking_set_status(booking=booking, status=Booking.Status.CONFIRMED)

    assert exc.value.code == "bad_status_change"


def test_setting_cancelled_goes_through_cancel_and_gives_the_seat_back(shop_a, day):
    booking = book(shop_a, day)

    booking_set_status(booking=booking, status=Booking.Status.CANCELLED)

    assert booking.status == Booking.Status.CANCELLED
    assert seats_taken(shop_a, day, T(9)) == 0


def test_an_unknown_status_is_refused(shop_a, day):
    with pytest.raises(BookingError, match="Unknown status 'lost'"):
        booking_set_status(booking=book(shop_a, day), status="lost")


def test_a_house_number_is_not_taken_for_the_zip_code(shop_a, day, service_area):
    # 93534 is in the area: read as a ZIP code, this house number would let the booking through.
    with pytest.raises(BookingError, match="must include a ZIP code"):
        book(shop_a, day, address="93534 Sierra Hwy, Lancaster CA")
