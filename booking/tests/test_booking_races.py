"""One booking changed twice at once: the seat given back is the one the booking holds.

Each request loads its booking when it starts; a change that commits in between must not make
the other act on what it loaded. First the interleavings one after the other (the request that
loaded earlier acts last), then the customer's own cancel and reschedule posted at the same
instant from real threads, on file SQLite and on PostgreSQL.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from booking import ledger
from booking.models import Booking
from booking.self_service import self_service_token
from booking.services import (
    BookingError,
    booking_cancel,
    booking_reschedule,
    booking_set_status,
)
from booking.tests.helpers import at_once, book, next_working_day, seats_taken

T = dt.time


def loaded(booking: Booking) -> Booking:
    """The booking as a request that started now would hold it."""
    return Booking.objects.select_related("shop").get(pk=booking.pk)


def test_a_cancel_loaded_before_a_move_gives_back_the_new_seat(shop_a, day):
    booking = book(shop_a, day, T(9))
    cancel_request = loaded(booking)

    booking_reschedule(booking=loaded(booking), new_date=day, new_time=T(14))
    booking_cancel(booking=cancel_request)

    assert seats_taken(shop_a, day, T(9)) == 0
    assert seats_taken(shop_a, day, T(14)) == 0
    assert ledger.run_checks() == []


def test_a_completion_loaded_before_a_move_gives_back_the_new_seat(shop_a, day):
    booking = book(shop_a, day, T(9))
    book(shop_a, day, T(9))  # another booking at 9:00, which keeps its seat
    complete_request = loaded(booking)

    booking_reschedule(booking=loaded(booking), new_date=day, new_time=T(14))
    booking_set_status(booking=complete_request, status=Booking.Status.COMPLETED)

    # The other booking still holds its 9:00 seat; the completed job holds none.
    assert seats_taken(shop_a, day, T(9)) == 1
    assert seats_taken(shop_a, day, T(14)) == 0
    assert ledger.run_checks() == []


def test_a_move_loaded_before_a_cancel_is_refused_and_takes_no_seat(shop_a, day):
    booking = book(shop_a, day, T(9))
    move_request = loaded(booking)

    booking_cancel(booking=loaded(booking))
    with pytest.raises(BookingError) as refused:
        booking_reschedule(booking=move_request, new_date=day, new_time=T(14))

    assert refused.value.code == "not_movable"
    assert seats_taken(shop_a, day, T(14)) == 0
    assert ledger.run_checks() == []


def test_two_moves_loaded_together_leave_one_seat_taken_where_the_last_put_it(shop_a, day):
    booking = book(shop_a, day, T(9))
    first, second = loaded(booking), loaded(booking)

    booking_reschedule(booking=first, new_date=day, new_time=T(11))
    booking_reschedule(booking=second, new_date=day, new_time=T(14))

    assert [seats_taken(shop_a, day, T(h)) for h in (9, 11, 14)] == [0, 0, 1]
    assert ledger.run_checks() == []


def test_a_move_to_where_another_request_already_moved_it_takes_no_second_seat(shop_a, day):
    booking = book(shop_a, day, T(9))
    first, second = loaded(booking), loaded(booking)

    booking_reschedule(booking=first, new_date=day, new_time=T(14))
    booking_reschedule(booking=second, new_date=day, new_time=T(14))

    assert seats_taken(shop_a, day, T(14)) == 1
    assert ledger.run_checks() == []


# --- The customer's two buttons at the same instant, real threads ----------------------------

PAIRS = 12


def post_together(requests: list[tuple[str, dict]]) -> list[int]:
    """POST each (url, data) from its own thread at the same moment: the status codes."""
    return at_once(
        [lambda u=url, d=data: Client().post(u, d).status_code for url, data in requests],
        failed=lambda exc: -1,
    )


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_self_service_cancel_and_reschedule_posted_together_keep_the_ledger(shop_a):
    settings = shop_a.booking_settings
    settings.jobs_per_start_time = 2
    settings.save()
    day = next_working_day(shop_a, days_ahead=3)
    new_day = next_working_day(shop_a, days_ahead=4)
    bookings = [book(shop_a, day, T(8 + i % 8)) for i in range(PAIRS)]
    requests = []
    for i, booking in enumerate(bookings):
        token = self_service_token(booking)
        new_start = f"{new_day:%Y-%m-%d}T{8 + i % 8:02d}:00"
        requests.append((f"/b/{token}/reschedule", {"start": new_start}))
        requests.append((f"/b/{token}/cancel", {}))

    statuses = post_together(requests)

    # Done (a redirect to the booking's page) or refused with a message (the page again).
    assert set(statuses) <= {200, 302}, statuses
    assert ledger.run_checks() == []
    assert ledger.over_capacity_findings() == []
    assert not Booking.objects.holding_seats().exists()
