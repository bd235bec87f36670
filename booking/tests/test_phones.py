from __future__ import annotations

import pytest

from booking.phones import normalise_phone


@pytest.mark.parametrize(
    "typed",
    ["+15551234567", "5551234567", "(555) 123-4567", "555.123.4567", " 1 555 123 4567 "],
)
def test_usual_ways_of_typing_a_us_number_become_e164(typed):
    assert normalise_phone(typed) == "+15551234567"


def test_letters_on_the_keypad_count_as_their_digits():
    assert normalise_phone("555-CALL-NOW") == "+15552255669"


def test_a_number_with_a_country_code_keeps_it():
    assert normalise_phone("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize("typed", ["", "12", "call me", "555-1234", "555-CALL"])
def test_what_cannot_be_a_phone_number_is_refused(typed):
    with pytest.raises(ValueError):
        normalise_phone(typed)
