"""Test bookings: what a partner books with its test key (`ao_test_...`), beside its live key.

A partner developing against a shop must see exactly what live would answer, without taking a
real customer's seat or reaching anybody. So a test booking:

- runs every rule a live one does (validation, availability, the start it lands on, the
  technician it gets, the work-order dedupe, Idempotency-Key): booking_create and a move ask
  `room()`, whose take takes the seat or technician time as live would, in a savepoint rolled
  back at once (`rehearse`). The answer is live's; counters and technician time never change.
- holds nothing: `BookingQuerySet.holding_seats` leaves test bookings out, so capacity and
  check_ledger add up without them, and cancelling or completing one gives back nothing
  (`release`, `release_seat`).
- sends no customer or shop e-mail (booking.notifications._queue); webhooks still fire, with
  "test": true in their payload (`Booking.is_test`).
- dedupes among test bookings only (the work-order constraint includes is_test), and the test
  key has an idempotency scope of its own, so a rehearsal never answers for the real thing.
- shows in no calendar, list, feed, export or report of the shop (`Booking.objects.live()`);
  the owner finds them in the admin's list of partner test bookings. The test key reads,
  moves and cancels its test bookings only, the live key its live ones only.
"""

from __future__ import annotations

from contextlib import contextmanager

from django.db import transaction

from booking import capacity
from booking.models import Booking


@contextmanager
def rehearse(test: bool):
    """With `test`, undo whatever the block wrote when it ends: its answer stands, its rows do
    not. Inside the caller's transaction."""
    if not test:
        yield
        return
    point = transaction.savepoint()
    try:
        yield
    finally:
        transaction.savepoint_rollback(point)


def room(*args, test: bool, **kwargs):
    """capacity.room(*args, **kwargs); for a test booking, one whose take keeps nothing."""
    found = capacity.room(*args, **kwargs)
    return Rehearsal(found) if test else found


class Rehearsal:
    """A room (capacity.SeatRoom or CrewRoom) whose take answers as live and keeps nothing."""

    def __init__(self, room):
        self.room = room
        self.full_reason = room.full_reason

    def take(self, *args, **kwargs) -> capacity.Placement | None:
        with rehearse(True):
            return self.room.take(*args, **kwargs)


def release(booking: Booking) -> None:
    """capacity.release for a booking that holds something: a test booking holds nothing."""
    if not booking.is_test:
        capacity.release(booking)


def release_seat(booking: Booking) -> None:
    """Give back the seat a booking held at its start (a move's old seat); a test's none."""
    if not booking.is_test:
        capacity.release_seat(booking.shop_id, booking.scheduled_date, booking.scheduled_time)
