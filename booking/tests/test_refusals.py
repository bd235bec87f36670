"""booking/refusals.py: one refusal, in the contract's, a customer's and a dispatcher's words."""

from __future__ import annotations

import datetime as dt

import pytest

from booking import refusals
from booking.services import (
    BookingDisabled,
    BookingError,
    NoAvailability,
    SlotFull,
    TechnicianUnavailable,
)

TODAY = dt.date(2026, 12, 1)
DAY = dt.date(2026, 12, 8)
LAST_DAY = dt.date(2026, 12, 17)
DAY_FACTS = {"day": DAY, "today": TODAY, "last_day": LAST_DAY}
START = {"start": dt.time(13), "day": dt.date(2026, 12, 2)}
MIKE_AT_ONE = {
    "technician": "Mike Ross",
    "start": dt.time(13),
    "end": dt.time(14, 30),
    "day": dt.date(2026, 12, 2),
    "minutes": 90,
    "appliance": "Refrigerator",
}


# reason, the exception the engine raises, its facts, and the wording each audience gets.
CASES = [
    (
        refusals.PAST,
        BookingError,
        {"day": dt.date(2026, 11, 30), "today": TODAY, "last_day": LAST_DAY},
        "scheduled_date must be today or later (today is 2026-12-01 at the shop)",
        "That day cannot be booked. Pick one of the open days.",
        "Mon Nov 30 has gone by (today is Tue Dec 1 at the shop)",
    ),
    (
        refusals.BEYOND_HORIZON,
        BookingError,
        {"day": dt.date(2027, 1, 5), "today": TODAY, "last_day": LAST_DAY},
        "scheduled_date is too far ahead: this shop takes bookings up to 2026-12-17",
        "That day cannot be booked. Pick one of the open days.",
        "Tue Jan 5, 2027 is too far ahead: the shop takes bookings up to Thu Dec 17",
    ),
    (
        refusals.NON_WORKING_DAY,
        NoAvailability,
        DAY_FACTS,
        "No availability on requested date",
        "That day filled up while you were booking. Please pick another day.",
        "Tue Dec 8 is not a working day at the shop",
    ),
    (
        refusals.BLACKOUT,
        NoAvailability,
        DAY_FACTS,
        "No availability on requested date",
        "That day filled up while you were booking. Please pick another day.",
        "Tue Dec 8 is a blackout date: the shop is closed",
    ),
    (
        refusals.TOO_SOON,
        NoAvailability,
        DAY_FACTS,
        "No availability on requested date",
        "That day filled up while you were booking. Please pick another day.",
        "No start time with room is left on Tue Dec 8",
    ),
    (
        refusals.FULL,
        NoAvailability,
        DAY_FACTS,
        "No availability on requested date",
        "That day filled up while you were booking. Please pick another day.",
        "No start time with room is left on Tue Dec 8",
    ),
    (
        refusals.BOOKING_DISABLED,
        BookingDisabled,
        {"shop_name": "Done Right Appliance"},
        "Done Right Appliance is not taking online bookings right now",
        "Done Right Appliance is not taking online bookings right now.",
        "Done Right Appliance is not taking online bookings right now",
    ),
    (
        refusals.UNKNOWN_SHOP,
        BookingError,
        {"slug": "no-such-shop"},
        "No active ApplianceOps shop has the slug 'no-such-shop'",
        "No active ApplianceOps shop has the slug 'no-such-shop'.",
        "No active ApplianceOps shop has the slug 'no-such-shop'",
    ),
    (
        refusals.NO_ZIP_CODE,
        BookingError,
        {},
        "address must include a ZIP code so we can check the service area",
        "Address must include a ZIP code so we can check the service area.",
        "address must include a ZIP code so we can check the service area",
    ),
    (
        refusals.OUTSIDE_SERVICE_AREA,
        BookingError,
        {"zip_code": "89501"},
        "ZIP code 89501 is outside this shop's service area",
        "ZIP code 89501 is outside this shop's service area.",
        "ZIP code 89501 is outside this shop's service area",
    ),
    (
        refusals.OUTSIDE_HOURS,
        BookingError,
        {"first_start": dt.time(8), "last_start": dt.time(16)},
        "time_slot must be between 08:00 and 16:00",
        "Pick a start time between 08:00 and 16:00.",
        "The start time must be between 08:00 and 16:00",
    ),
    (
        refusals.NOT_A_START_TIME,
        BookingError,
        {"start": dt.time(10, 30)},
        "10:30 is not one of the shop's start times",
        "That time could not be booked: 10:30 is not one of the shop's start times",
        "10:30 is not one of the shop's start times",
    ),
    (
        refusals.START_TOO_SOON,
        BookingError,
        START,
        "13:00 on 2026-12-02 is sooner than the shop's minimum notice",
        "That time could not be booked: 13:00 on 2026-12-02 is sooner than the shop's "
        "minimum notice",
        "13:00 on 2026-12-02 is sooner than the shop's minimum notice",
    ),
    (
        refusals.START_FULL,
        SlotFull,
        START,
        "13:00 on 2026-12-02 is full",
        "That time could not be booked: 13:00 on 2026-12-02 is full",
        "13:00 on 2026-12-02 is full",
    ),
    (
        refusals.WINDOW_FULL,
        NoAvailability,
        {"day": dt.date(2026, 12, 2), "window": "pm"},
        "the pm window on 2026-12-02 has no start time with room",
        "The afternoon of Wednesday, December 2 has no time with room left now. "
        "Please pick another.",
        "the pm window on 2026-12-02 has no start time with room",
    ),
    (
        refusals.NO_TECHNICIAN_FREE,
        SlotFull,
        {**START, "appliance": "Dryer", "minutes": 60},
        "13:00 on 2026-12-02 is full",
        "That time could not be booked: 13:00 on 2026-12-02 is full",
        "No technician who services Dryer is free for 60 minutes from 13:00 on Wed Dec 02",
    ),
    (
        refusals.TECHNICIAN_BUSY,
        TechnicianUnavailable,
        MIKE_AT_ONE,
        "Mike Ross has another job between 13:00 and 14:30 on 2026-12-02",
        "Mike Ross has another job between 13:00 and 14:30 on 2026-12-02.",
        "Mike Ross has another job between 13:00 and 14:30 on 2026-12-02",
    ),
    (
        refusals.TECHNICIAN_OFF_SHIFT,
        TechnicianUnavailable,
        MIKE_AT_ONE,
        "Mike Ross is not on shift from 13:00 to 14:30 on Wed 2026-12-02",
        "Mike Ross is not on shift from 13:00 to 14:30 on Wed 2026-12-02.",
        "Mike Ross is not on shift from 13:00 to 14:30 on Wed 2026-12-02",
    ),
    (
        refusals.TECHNICIAN_TIME_OFF,
        TechnicianUnavailable,
        MIKE_AT_ONE,
        "Mike Ross has time off between 13:00 and 14:30 on 2026-12-02",
        "Mike Ross has time off between 13:00 and 14:30 on 2026-12-02.",
        "Mike Ross has time off between 13:00 and 14:30 on 2026-12-02",
    ),
    (
        refusals.TECHNICIAN_NO_SKILL,
        TechnicianUnavailable,
        MIKE_AT_ONE,
        "Mike Ross does not service Refrigerator",
        "Mike Ross does not service Refrigerator.",
        "Mike Ross does not service Refrigerator",
    ),
    (
        refusals.TECHNICIAN_INACTIVE,
        TechnicianUnavailable,
        MIKE_AT_ONE,
        "Mike Ross is switched off and takes no new jobs",
        "Mike Ross is switched off and takes no new jobs.",
        "Mike Ross is switched off and takes no new jobs",
    ),
    (
        refusals.PAST_MIDNIGHT,
        TechnicianUnavailable,
        {**MIKE_AT_ONE, "start": dt.time(23)},
        "A job of 90 minutes from 23:00 would run past midnight",
        "A job of 90 minutes from 23:00 would run past midnight.",
        "A job of 90 minutes from 23:00 would run past midnight",
    ),
    (
        refusals.NOT_MOVABLE,
        BookingError,
        {},
        "Only a scheduled or confirmed booking can be moved.",
        "Only a scheduled or confirmed booking can be moved.",
        "Only a scheduled or confirmed booking can be moved.",
    ),
    (
        refusals.NOT_CANCELLABLE,
        BookingError,
        {},
        "This booking is already cancelled or completed.",
        "This booking is already cancelled or completed.",
        "This booking is already cancelled or completed.",
    ),
    (
        refusals.DUPLICATE_WORK_ORDER,
        BookingError,
        {"work_order_number": "WO-7781", "reference": "0B9A55A0", "day": DAY, "start": dt.time(9)},
        "Work order WO-7781 is already booked on 2026-12-08 at 09:00 (reference 0B9A55A0)",
        "Work order WO-7781 is already booked on 2026-12-08 at 09:00 (reference 0B9A55A0).",
        "Work order WO-7781 is already booked on 2026-12-08 at 09:00 (reference 0B9A55A0)",
    ),
    (
        refusals.UNKNOWN_STATUS,
        BookingError,
        {"status": "lost"},
        "Unknown status 'lost'",
        "Unknown status 'lost'.",
        "Unknown status 'lost'",
    ),
    (
        refusals.ALREADY_IN_STATUS,
        BookingError,
        {"current": "confirmed"},
        "It is already confirmed.",
        "It is already confirmed.",
        "It is already confirmed.",
    ),
    (
        refusals.BAD_STATUS_CHANGE,
        BookingError,
        {"current": "cancelled", "status": "confirmed"},
        "A cancelled booking cannot become confirmed.",
        "A cancelled booking cannot become confirmed.",
        "A cancelled booking cannot become confirmed.",
    ),
]
IDS = [case[0] for case in CASES]


@pytest.mark.parametrize("reason, kind, facts, api, customer, dispatcher", CASES, ids=IDS)
def test_the_contracts_wording_is_the_refusals_message(
    reason, kind, facts, api, customer, dispatcher
):
    error = kind(reason, **facts)

    assert refusals.for_api(error) == api
    assert error.message == str(error) == api


@pytest.mark.parametrize("reason, kind, facts, api, customer, dispatcher", CASES, ids=IDS)
def test_a_customer_reads_a_refusal_as_a_sentence_about_their_day_or_time(
    reason, kind, facts, api, customer, dispatcher
):
    assert refusals.for_customer(kind(reason, **facts)) == customer


@pytest.mark.parametrize("reason, kind, facts, api, customer, dispatcher", CASES, ids=IDS)
def test_a_dispatcher_reads_why_the_day_is_shut(reason, kind, facts, api, customer, dispatcher):
    assert refusals.for_dispatcher(kind(reason, **facts)) == dispatcher


def test_every_reason_has_the_contracts_wording():
    reasons = {
        value
        for name, value in vars(refusals).items()
        if name.isupper()
        and isinstance(value, str)
        and not name.startswith("_")
        and name != "NO_AVAILABILITY"
    }

    assert reasons == set(IDS)
