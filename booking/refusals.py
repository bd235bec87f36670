"""Why the booking engine says no, and how each door says it.

The engine (booking.services) refuses with a BookingError that carries one of the reasons
below and the facts its words need (the day, the shop's today, a start time...). It words
nothing for a person; each audience's words are here:

- `for_api`: the Partner API contract's wording. Partners match on it: never change a text,
  only add new ones.
- `for_customer`: the booking page and the customer's self-service page.
- `for_dispatcher`: the admin and the partner portal, where the person at the screen wants to
  know why that day is shut.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from booking.services import BookingError

# Why a day has no start time to offer. Also the day's `closed_reason` on availability pages.
PAST = "past"
BEYOND_HORIZON = "beyond_horizon"
NON_WORKING_DAY = "non_working_day"
BLACKOUT = "blackout"
TOO_SOON = "too_soon"  # every start of the day is sooner than the shop's minimum notice
FULL = "full"  # every start of the day that is far enough ahead is taken

# Why one request is refused, whatever its day.
BOOKING_DISABLED = "booking_disabled"
UNKNOWN_SHOP = "unknown_shop"  # no active shop has the slug
NO_ZIP_CODE = "no_zip_code"  # the shop has a service area and the address names no ZIP code
OUTSIDE_SERVICE_AREA = "outside_service_area"
OUTSIDE_HOURS = "outside_hours"  # a time asked for before the first or after the last start
NOT_A_START_TIME = "not_a_start_time"  # a move to a time that is not one of the shop's starts
START_TOO_SOON = "start_too_soon"  # a move to a start sooner than the minimum notice
START_FULL = "start_full"  # a move to a start with no seat left
WINDOW_FULL = "window_full"  # a move to a window with no start with room left
NO_TECHNICIAN_FREE = "no_technician_free"  # a move to a start where no technician can take it
# Why one technician cannot take a job (a dispatcher chose them, or changed the job's length).
TECHNICIAN_BUSY = "technician_busy"
TECHNICIAN_OFF_SHIFT = "technician_off_shift"
TECHNICIAN_TIME_OFF = "technician_time_off"
TECHNICIAN_NO_SKILL = "technician_no_skill"
TECHNICIAN_INACTIVE = "technician_inactive"
PAST_MIDNIGHT = "past_midnight"
NOT_MOVABLE = "not_movable"
NOT_CANCELLABLE = "not_cancellable"
DUPLICATE_WORK_ORDER = "duplicate_work_order"  # the order already has a booking holding a seat
UNKNOWN_STATUS = "unknown_status"
ALREADY_IN_STATUS = "already_in_status"
BAD_STATUS_CHANGE = "bad_status_change"

NO_AVAILABILITY = "No availability on requested date"

_API_WORDS = {
    PAST: "scheduled_date must be today or later (today is {today:%Y-%m-%d} at the shop)",
    BEYOND_HORIZON: (
        "scheduled_date is too far ahead: this shop takes bookings up to {last_day:%Y-%m-%d}"
    ),
    NON_WORKING_DAY: NO_AVAILABILITY,
    BLACKOUT: NO_AVAILABILITY,
    TOO_SOON: NO_AVAILABILITY,
    FULL: NO_AVAILABILITY,
    BOOKING_DISABLED: "{shop_name} is not taking online bookings right now",
    UNKNOWN_SHOP: "No active ApplianceOps shop has the slug {slug!r}",
    NO_ZIP_CODE: "address must include a ZIP code so we can check the service area",
    OUTSIDE_SERVICE_AREA: "ZIP code {zip_code} is outside this shop's service area",
    OUTSIDE_HOURS: "time_slot must be between {first_start:%H:%M} and {last_start:%H:%M}",
    NOT_A_START_TIME: "{start:%H:%M} is not one of the shop's start times",
    START_TOO_SOON: "{start:%H:%M} on {day:%Y-%m-%d} is sooner than the shop's minimum notice",
    START_FULL: "{start:%H:%M} on {day:%Y-%m-%d} is full",
    WINDOW_FULL: "the {window} window on {day:%Y-%m-%d} has no start time with room",
    NO_TECHNICIAN_FREE: "{start:%H:%M} on {day:%Y-%m-%d} is full",
    TECHNICIAN_BUSY: "{technician} has another job between {start:%H:%M} and {end:%H:%M} "
    "on {day:%Y-%m-%d}",
    TECHNICIAN_OFF_SHIFT: "{technician} is not on shift from {start:%H:%M} to {end:%H:%M} "
    "on {day:%a %Y-%m-%d}",
    TECHNICIAN_TIME_OFF: "{technician} has time off between {start:%H:%M} and {end:%H:%M} "
    "on {day:%Y-%m-%d}",
    TECHNICIAN_NO_SKILL: "{technician} does not service {appliance}",
    TECHNICIAN_INACTIVE: "{technician} is switched off and takes no new jobs",
    PAST_MIDNIGHT: "A job of {minutes} minutes from {start:%H:%M} would run past midnight",
    NOT_MOVABLE: "Only a scheduled or confirmed booking can be moved.",
    NOT_CANCELLABLE: "This booking is already cancelled or completed.",
    DUPLICATE_WORK_ORDER: (
        "Work order {work_order_number} is already booked on {day:%Y-%m-%d} at {start:%H:%M} "
        "(reference {reference})"
    ),
    UNKNOWN_STATUS: "Unknown status {status!r}",
    ALREADY_IN_STATUS: "It is already {current}.",
    BAD_STATUS_CHANGE: "A {current} booking cannot become {status}.",
}

# A customer picks from the days and times a page offers, so a refusal there mostly means the
# day changed under them; the rest read as the contract words them, as a sentence.
_GONE_DAY = "That day cannot be booked. Pick one of the open days."
_FILLED_DAY = "That day filled up while you were booking. Please pick another day."
_LOST_TIME = "That time could not be booked: "
_CUSTOMER_WORDS = {
    PAST: _GONE_DAY,
    BEYOND_HORIZON: _GONE_DAY,
    NON_WORKING_DAY: _FILLED_DAY,
    BLACKOUT: _FILLED_DAY,
    TOO_SOON: _FILLED_DAY,
    FULL: _FILLED_DAY,
    OUTSIDE_HOURS: "Pick a start time between {first_start:%H:%M} and {last_start:%H:%M}.",
    NOT_A_START_TIME: _LOST_TIME + _API_WORDS[NOT_A_START_TIME],
    START_TOO_SOON: _LOST_TIME + _API_WORDS[START_TOO_SOON],
    START_FULL: _LOST_TIME + _API_WORDS[START_FULL],
    WINDOW_FULL: "The {window_name} of {day:%A, %B} {day.day} has no time with room left now. "
    "Please pick another.",
    NO_TECHNICIAN_FREE: _LOST_TIME + _API_WORDS[START_FULL],
}
_WINDOW_NAMES = {"am": "morning", "pm": "afternoon"}

# {day}, {today} and {last_day} here are written as the dispatcher reads dates ("Tue Dec 8").
_DISPATCHER_DAY_WORDS = {
    PAST: "{day} has gone by (today is {today} at the shop)",
    BEYOND_HORIZON: "{day} is too far ahead: the shop takes bookings up to {last_day}",
    NON_WORKING_DAY: "{day} is not a working day at the shop",
    BLACKOUT: "{day} is a blackout date: the shop is closed",
    TOO_SOON: "No start time with room is left on {day}",
    FULL: "No start time with room is left on {day}",
}


def for_api(error: BookingError) -> str:
    """The contract's wording of a refusal: the API's "error" and the exception's message."""
    return _API_WORDS[error.reason].format(**error.facts)


def for_customer(error: BookingError) -> str:
    """A refusal as the customer reads it on the booking page or their self-service page."""
    words = _CUSTOMER_WORDS.get(error.reason)
    if words is not None:
        window_name = _WINDOW_NAMES.get(error.facts.get("window", ""), "")
        return words.format(**error.facts, window_name=window_name)
    message = for_api(error)
    return message[:1].upper() + message[1:].rstrip(".") + "."


def for_dispatcher(error: BookingError) -> str:
    """A refusal as shop staff (admin) and partner agents (portal) read it."""
    facts = error.facts
    if error.reason == NO_TECHNICIAN_FREE:
        return (
            "No technician who services {appliance} is free for {minutes} minutes from "
            "{start:%H:%M} on {day:%a %b %d}".format(**facts)
        )
    if error.reason == OUTSIDE_HOURS:
        return "The start time must be between {first_start:%H:%M} and {last_start:%H:%M}".format(
            **facts
        )
    words = _DISPATCHER_DAY_WORDS.get(error.reason)
    if words is None:
        return for_api(error)
    today = facts["today"]
    return words.format(
        day=_day_words(facts["day"], today),
        today=_day_words(today, today),
        last_day=_day_words(facts["last_day"], today),
    )


def _day_words(day: dt.date, today: dt.date) -> str:
    text = f"{day:%a %b} {day.day}"
    return text if day.year == today.year else f"{text}, {day.year}"
