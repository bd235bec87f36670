"""booking/inputs.py: the input pieces the booking page, the portal and the API share."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from booking.inputs import ArrivalWindow, clock, hidden_character, is_sent, window_options

T = dt.time


def hours(first: dt.time, last: dt.time, minutes: int = 60) -> SimpleNamespace:
    return SimpleNamespace(first_start=first, last_start=last, minutes_between_starts=minutes)


def test_the_windows_are_the_shops_own_hours_as_times():
    assert window_options(hours(T(9), T(15))) == [
        ArrivalWindow("am", "Morning", T(9), T(12)),
        ArrivalWindow("pm", "Afternoon", T(12), T(16)),
    ]


def test_a_morning_ends_at_noon_even_when_its_last_start_is_close_to_it():
    (morning, _) = window_options(hours(T(8), T(16), minutes=45))

    assert (morning.first_arrival, morning.end) == (T(8), T(12))


def test_a_window_without_a_start_at_the_shop_keeps_the_contracts_hours():
    morning, afternoon = window_options(hours(T(13), T(15)))

    assert (morning.first_arrival, morning.end) == (T(8), T(12))
    assert (afternoon.first_arrival, afternoon.end) == (T(13), T(16))


@pytest.mark.parametrize(
    "time, words", [(T(8), "8 AM"), (T(12), "12 PM"), (T(12, 30), "12:30 PM"), (T(0), "12 AM")]
)
def test_a_time_reads_as_people_say_it(time, words):
    assert clock(time) == words


@pytest.mark.parametrize(
    "value, sent",
    [(None, False), ("", False), ("  ", False), (False, True), (0, True), ("x", True)],
)
def test_only_absent_null_and_blank_count_as_not_sent(value, sent):
    assert is_sent(value) is sent


@pytest.mark.parametrize("multiline", [False, True])
def test_of_all_ascii_only_the_controls_are_refused(multiline):
    allowed_controls = {"\n"} if multiline else set()
    refused = {
        chr(code)
        for code in range(128)
        if hidden_character(f"Jane{chr(code)}Smith", multiline=multiline)
    }

    assert refused == {chr(code) for code in [*range(32), 127]} - allowed_controls
