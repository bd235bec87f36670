"""Capacity from technicians: who is on shift, skilled, not off and free takes the job."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from booking import refusals
from booking.availability import start_seats
from booking.capacity import Need, ticks
from booking.models import Booking, Notification, Occupancy
from booking.services import (
    BookingError,
    NoAvailability,
    SlotFull,
    TechnicianUnavailable,
    booking_assign,
    booking_cancel,
    booking_reschedule,
    booking_set_status,
    booking_update,
)
from booking.tests.helpers import MONDAY, TUESDAY, book, seats_taken
from technicians.services import Away
from technicians.tests.helpers import hire

pytestmark = pytest.mark.usefixtures("monday_morning")


def occupied(booking) -> list[tuple[str, dt.date, dt.time]]:
    """The Occupancy rows a booking holds: (technician, date, tick)."""
    return [
        (row.technician.name, row.date, row.time)
        for row in Occupancy.objects.filter(booking=booking).order_by("time")
    ]


def span(start: str, minutes: int) -> list[dt.time]:
    return ticks(dt.time.fromisoformat(start), minutes)


# --- Assignment ---------------------------------------------------------------------------


def test_a_booking_is_given_to_a_technician_at_once(shop_a):
    hire(shop_a, "Mike Ross")

    booking = book(shop_a, MONDAY, "09:00", appliance="Refrigerator")

    assert booking.technician.name == "Mike Ross"
    assert booking.duration_minutes == 90, "the shop's length for a refrigerator"
    assert occupied(booking) == [("Mike Ross", MONDAY, tick) for tick in span("09:00", 90)]
    assert seats_taken(shop_a, MONDAY, "09:00") == 1, "the seat counter counts it too"


def test_the_technician_with_fewest_jobs_that_day_gets_the_next_one_ties_by_name(shop_a):
    hire(shop_a, "Zoe Park")
    hire(shop_a, "Ann Lee")
    book(shop_a, TUESDAY, "09:00")  # Ann's (by name), on another day: it does not count today

    first = book(shop_a, MONDAY, "09:00")
    second = book(shop_a, MONDAY, "13:00")
    third = book(shop_a, MONDAY, "15:00")

    assert [b.technician.name for b in (first, second, third)] == ["Ann Lee", "Zoe Park", "Ann Lee"]


def test_a_technician_is_not_given_a_job_overlapping_one_they_have(shop_a):
    hire(shop_a, "Mike Ross")
    book(shop_a, MONDAY, "09:00", appliance="Washer")  # 09:00-10:30

    moved = book(shop_a, MONDAY, "10:00", appliance="Dryer")

    assert moved.scheduled_time == dt.time(11), "10:00 overlaps the washer job; 11:00 is free"
    assert moved.reassigned


def test_a_job_goes_to_someone_who_services_the_appliance(shop_a):
    hire(shop_a, "Fridge Fran", skills=["Refrigerator"])
    hire(shop_a, "Any Andy")

    fridge = book(shop_a, MONDAY, "09:00", appliance="Refrigerator")  # both could: Andy by name
    dryer = book(shop_a, MONDAY, "09:00", appliance="Dryer")
    second_fridge = book(shop_a, MONDAY, "09:00", appliance="fridge")

    assert (fridge.technician.name, fridge.scheduled_time) == ("Any Andy", dt.time(9))
    # Fran does not fix dryers and Andy is at the refrigerator until 10:30.
    assert (dryer.technician.name, dryer.scheduled_time) == ("Any Andy", dt.time(11))
    assert (second_fridge.technician.name, second_fridge.scheduled_time) == (
        "Fridge Fran",
        dt.time(9),
    )


def test_nobody_skilled_means_no_availability(shop_a):
    hire(shop_a, "Fridge Fran", skills=["Refrigerator"])

    with pytest.raises(NoAvailability) as refused:
        book(shop_a, MONDAY, "AM", appliance="Dishwasher")

    assert refused.value.reason == refusals.FULL
    assert not Booking.objects.exists() and not Occupancy.objects.exists()


def test_a_job_must_end_within_the_shift(shop_a):
    hire(shop_a, "Mike Ross", hours=("08:00", "17:00"))

    # 16:00 + 90 minutes is past 17:00: the next start with room is the nearest earlier one.
    late = book(shop_a, MONDAY, "16:00", appliance="Refrigerator")
    short = book(shop_a, TUESDAY, "16:00", appliance="Microwave")  # 45 minutes: fits

    assert late.scheduled_time == dt.time(15)
    assert short.scheduled_time == dt.time(16)


def test_a_day_off_closes_the_day_and_part_of_a_day_off_closes_those_hours(shop_a):
    hire(
        shop_a,
        "Mike Ross",
        off=[
            Away(MONDAY, MONDAY),
            Away(TUESDAY, TUESDAY, from_time=dt.time(8), until_time=dt.time(12), reason="dentist"),
        ],
    )

    with pytest.raises(NoAvailability):
        book(shop_a, MONDAY, "AM")
    tuesday = book(shop_a, TUESDAY, "AM", appliance="Dryer")

    assert tuesday.scheduled_time == dt.time(12), "the morning is off: the afternoon's first"


def test_an_am_request_no_technician_can_take_in_the_morning_moves_to_the_afternoon(shop_a):
    hire(shop_a, "Late Larry", hours=("12:00", "17:00"))

    booking = book(shop_a, MONDAY, "AM", appliance="Dryer")

    assert (booking.scheduled_time, booking.window, booking.reassigned) == (dt.time(12), "pm", True)


def test_inactive_technicians_take_nothing_and_a_shop_of_none_active_counts_seats(shop_a):
    mike = hire(shop_a, "Mike Ross")
    mike.is_active = False
    mike.save()

    booking = book(shop_a, MONDAY, "09:00")

    assert booking.technician is None and not booking.overbooked
    assert seats_taken(shop_a, MONDAY, "09:00") == 1
    book(shop_a, MONDAY, "09:00")
    assert book(shop_a, MONDAY, "09:00").scheduled_time == dt.time(10), "two seats a start"


# --- The database's word ------------------------------------------------------------------


def test_the_database_refuses_a_technician_two_jobs_in_one_tick(shop_a):
    mike = hire(shop_a, "Mike Ross")
    booking = book(shop_a, MONDAY, "09:00")
    other = book(shop_a, TUESDAY, "09:00")

    with pytest.raises(IntegrityError), transaction.atomic():
        Occupancy.objects.create(technician=mike, booking=other, date=MONDAY, time=dt.time(9, 30))
    assert len(occupied(booking)) == 18


def test_ticks_are_five_minutes_from_midnight_whatever_the_start():
    assert span("09:00", 15) == [dt.time(9, 0), dt.time(9, 5), dt.time(9, 10)]
    assert span("09:02", 5) == [dt.time(9, 0), dt.time(9, 5)], "a start between ticks"


# --- Moving, cancelling, completing -------------------------------------------------------


def test_a_move_keeps_the_technician_when_free_and_moves_their_rows(shop_a):
    hire(shop_a, "Ann Lee")
    hire(shop_a, "Zoe Park")
    booking = book(shop_a, MONDAY, "09:00", appliance="Dryer")
    book(shop_a, TUESDAY, "09:00", appliance="Dryer")  # Ann's too: on Tuesday Zoe has fewer
    assert booking.technician.name == "Ann Lee"

    booking_reschedule(booking=booking, new_date=MONDAY, new_time=dt.time(10))
    booking_reschedule(booking=booking, new_date=TUESDAY, new_time=dt.time(14))

    assert booking.technician.name == "Ann Lee", "not handed to Zoe for fairness"
    assert occupied(booking) == [("Ann Lee", TUESDAY, tick) for tick in span("14:00", 60)]
    assert seats_taken(shop_a, MONDAY, "09:00") == seats_taken(shop_a, MONDAY, "10:00") == 0
    assert seats_taken(shop_a, TUESDAY, "14:00") == 1


def test_a_move_goes_to_another_technician_when_its_own_is_busy_then(shop_a):
    hire(shop_a, "Ann Lee")
    hire(shop_a, "Zoe Park")
    ann_at_nine = book(shop_a, MONDAY, "09:00", appliance="Dryer")
    zoe_at_nine = book(shop_a, MONDAY, "09:00", appliance="Dryer")
    ann_at_two = book(shop_a, MONDAY, "14:00", appliance="Dryer")
    assert [b.technician.name for b in (ann_at_nine, zoe_at_nine, ann_at_two)] == [
        "Ann Lee",
        "Zoe Park",
        "Ann Lee",
    ]

    booking_reschedule(booking=ann_at_nine, new_date=MONDAY, new_time=dt.time(14))

    assert ann_at_nine.technician.name == "Zoe Park"
    with pytest.raises(SlotFull) as refused:
        booking_reschedule(
            booking=book(shop_a, MONDAY, "11:00", appliance="Dryer"),
            new_date=MONDAY,
            new_time=dt.time(14),
        )
    assert refused.value.reason == refusals.NO_TECHNICIAN_FREE


def test_a_move_onto_its_own_span_is_no_clash_with_itself(shop_a):
    hire(shop_a, "Mike Ross")
    booking = book(shop_a, MONDAY, "09:00", appliance="Refrigerator")  # 09:00-10:30

    booking_reschedule(booking=booking, new_date=MONDAY, new_time=dt.time(10))

    assert occupied(booking)[0] == ("Mike Ross", MONDAY, dt.time(10))


def test_cancelling_and_completing_free_the_technician(shop_a):
    hire(shop_a, "Mike Ross")
    cancelled = book(shop_a, MONDAY, "09:00", appliance="Dryer")
    completed = book(shop_a, MONDAY, "11:00", appliance="Dryer")

    booking_cancel(booking=cancelled)
    booking_set_status(booking=completed, status=Booking.Status.COMPLETED)

    assert not Occupancy.objects.exists()
    completed.refresh_from_db()
    assert completed.technician.name == "Mike Ross", "who did the job stays on record"
    assert book(shop_a, MONDAY, "09:00").scheduled_time == dt.time(9)


# --- On purpose beyond capacity -----------------------------------------------------------


def test_an_overbook_nobody_can_take_is_booked_unassigned(shop_a):
    hire(shop_a, "Mike Ross")
    book(shop_a, MONDAY, "09:00")

    extra = book(shop_a, MONDAY, "09:00", allow_overbook=True)

    assert (extra.scheduled_time, extra.technician, extra.overbooked) == (dt.time(9), None, True)
    assert not occupied(extra)
    assert seats_taken(shop_a, MONDAY, "09:00") == 2


def test_an_owner_may_put_a_job_on_a_chosen_technician_outside_their_shift(shop_a):
    mike = hire(shop_a, "Mike Ross", hours=("08:00", "12:00"))

    with pytest.raises(TechnicianUnavailable) as refused:
        book(shop_a, MONDAY, "14:00", technician=mike)
    forced = book(shop_a, MONDAY, "14:00", technician=mike, allow_overbook=True)

    assert refused.value.reason == refusals.TECHNICIAN_OFF_SHIFT
    assert "Mike Ross is not on shift from 14:00 to 15:30" in refused.value.message
    assert (forced.technician, forced.overbooked) == (mike, True)
    assert occupied(forced)[0] == ("Mike Ross", MONDAY, dt.time(14))


def test_not_even_an_owner_puts_a_technician_in_two_places_at_once(shop_a):
    mike = hire(shop_a, "Mike Ross")
    book(shop_a, MONDAY, "09:00")

    with pytest.raises(TechnicianUnavailable) as refused:
        book(shop_a, MONDAY, "10:00", technician=mike, allow_overbook=True)

    assert refused.value.reason == refusals.TECHNICIAN_BUSY
    assert Booking.objects.count() == 1
    assert seats_taken(shop_a, MONDAY, "10:00") == 0, "the refused try took no seat"


def test_a_chosen_technician_must_service_the_appliance(shop_a):
    fran = hire(shop_a, "Fridge Fran", skills=["Refrigerator"])

    with pytest.raises(TechnicianUnavailable) as refused:
        book(shop_a, MONDAY, "09:00", appliance="Dryer", technician=fran)

    assert refused.value.message == "Fridge Fran does not service Dryer"


# --- Reassigning and changing a job's length ----------------------------------------------


def test_a_job_can_be_given_to_another_free_technician_and_back_to_nobody(shop_a):
    hire(shop_a, "Ann Lee")
    zoe = hire(shop_a, "Zoe Park")
    booking = book(shop_a, MONDAY, "09:00", appliance="Dryer")

    booking_assign(booking=booking, technician=zoe)
    assert booking.technician == zoe
    assert {name for name, _, _ in occupied(booking)} == {"Zoe Park"}

    booking_assign(booking=booking, technician=None)
    assert booking.technician is None and not occupied(booking)
    assert seats_taken(shop_a, MONDAY, "09:00") == 1, "it still holds its seat"


def test_a_job_moved_unassigned_takes_nobodys_time_even_where_everyone_is_busy(shop_a):
    ann = hire(shop_a, "Ann Lee", email="ann@example.com")
    booking = book(shop_a, TUESDAY, "09:00", appliance="Dryer")
    book(shop_a, TUESDAY, "15:00", appliance="Dryer", name="Raj Patel")  # Ann's 15:00
    made_with_it = list(Notification.objects.values_list("pk", flat=True))

    booking_reschedule(booking=booking, new_date=TUESDAY, new_time=dt.time(15), unassigned=True)

    assert (booking.technician, booking.scheduled_time, booking.window) == (None, dt.time(15), "pm")
    assert not booking.overbooked, "nobody's lane is no capacity to go beyond"
    assert not occupied(booking), "Ann's 9:00 is free again"
    assert (seats_taken(shop_a, TUESDAY, "09:00"), seats_taken(shop_a, TUESDAY, "15:00")) == (0, 2)
    told = Notification.objects.filter(booking=booking).exclude(pk__in=made_with_it)
    assert sorted((row.kind, row.scheduled_time) for row in told) == [
        (Notification.Kind.RESCHEDULED, dt.time(15)),
        (Notification.Kind.TECHNICIAN_REMOVED, dt.time(9)),
    ]
    assert told.get(kind=Notification.Kind.TECHNICIAN_REMOVED).technician == ann


def test_a_job_moved_unassigned_still_needs_an_open_start(shop_a):
    hire(shop_a, "Ann Lee")
    booking = book(shop_a, TUESDAY, "09:00", appliance="Dryer")

    with pytest.raises(BookingError, match="10:30 is not one of the shop's start times"):
        booking_reschedule(
            booking=booking, new_date=TUESDAY, new_time=dt.time(10, 30), unassigned=True
        )
    with pytest.raises(NoAvailability):
        booking_reschedule(
            booking=booking, new_date=dt.date(2026, 12, 12), new_time=dt.time(9), unassigned=True
        )

    booking.refresh_from_db()
    assert (booking.technician.name, booking.scheduled_time) == ("Ann Lee", dt.time(9))
    assert occupied(booking)[0] == ("Ann Lee", TUESDAY, dt.time(9))


def test_a_job_moved_unassigned_to_its_own_time_is_only_taken_off_its_technician(shop_a):
    hire(shop_a, "Ann Lee")
    booking = book(shop_a, TUESDAY, "09:00", appliance="Dryer")

    booking_reschedule(booking=booking, new_date=TUESDAY, new_time=dt.time(9), unassigned=True)

    assert (booking.technician, booking.scheduled_time) == (None, dt.time(9))
    assert not occupied(booking)
    assert seats_taken(shop_a, TUESDAY, "09:00") == 1
    assert not Notification.objects.filter(kind=Notification.Kind.RESCHEDULED).exists()


def test_a_job_moved_unassigned_cannot_also_name_a_technician(shop_a):
    ann = hire(shop_a, "Ann Lee")
    booking = book(shop_a, TUESDAY, "09:00", appliance="Dryer")

    with pytest.raises(TypeError):
        booking_reschedule(
            booking=booking, new_date=TUESDAY, new_time=dt.time(10), technician=ann, unassigned=True
        )


def test_a_longer_job_must_still_fit_its_technicians_day(shop_a):
    hire(shop_a, "Mike Ross")
    booking = book(shop_a, MONDAY, "09:00", appliance="Dryer")  # 60 minutes
    book(shop_a, MONDAY, "11:00", appliance="Dryer")

    booking_update(booking=booking, duration_minutes=120)
    assert occupied(booking)[-1][2] == dt.time(10, 55)
    with pytest.raises(TechnicianUnavailable) as refused:
        booking_update(booking=booking, duration_minutes=150)

    assert refused.value.reason == refusals.TECHNICIAN_BUSY
    booking.refresh_from_db()
    assert booking.duration_minutes == 120 and occupied(booking)[-1][2] == dt.time(10, 55)


def test_an_empty_length_is_the_shops_for_the_appliance(shop_a):
    booking = book(shop_a, MONDAY, "09:00", appliance="Dryer", duration_minutes=30)

    booking_update(booking=booking, duration_minutes=None)

    booking.refresh_from_db()
    assert booking.duration_minutes == 60


# --- What pages are offered ---------------------------------------------------------------


def test_availability_counts_free_technicians_for_the_job(shop_a):
    hire(shop_a, "Fridge Fran", skills=["Refrigerator"])
    hire(shop_a, "Any Andy", hours=("12:00", "17:00"))
    book(shop_a, MONDAY, "13:00", appliance="Dryer")  # Andy's, 13:00-14:00

    def left(need):
        (day,) = start_seats(shop_a, MONDAY, MONDAY, need=need)
        return {seat.start.hour: seat.seats_left for seat in day.starts}

    # Not known yet: anyone, for the shop's default hour.
    assert left(None) == {8: 1, 9: 1, 10: 1, 11: 1, 12: 2, 13: 1, 14: 2, 15: 2, 16: 2}
    dryer = {8: 0, 9: 0, 10: 0, 11: 0, 12: 1, 13: 0, 14: 1, 15: 1, 16: 1}
    assert left(Need("Dryer", 60)) == dryer
    assert left(Need("Refrigerator", 90))[16] == 0, "16:00 + 90 minutes is past every shift"


def test_the_readmes_example_books_as_the_readme_says(shop_a):
    hire(shop_a, "Ann Lee")
    hire(shop_a, "Bo Diaz", skills=["Refrigerator", "Washer"], hours=("08:00", "12:00"))

    asked = [("Refrigerator", "AM"), ("Washer", "AM"), ("Dryer", "AM"), ("Refrigerator", "AM")]
    asked.append(("Refrigerator", "11:00"))
    booked = [book(shop_a, TUESDAY, time, appliance=appliance) for appliance, time in asked]

    assert [(b.technician.name, f"{b.scheduled_time:%H:%M}") for b in booked] == [
        ("Ann Lee", "08:00"),
        ("Bo Diaz", "08:00"),
        ("Ann Lee", "10:00"),
        ("Bo Diaz", "10:00"),
        ("Ann Lee", "11:00"),
    ]
