from __future__ import annotations

import pytest

from booking.phones import PhoneHasExtension, normalise_phone


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


@pytest.mark.parametrize(
    "typed", ["(555) 123-4567 ext 12", "555-123-4567 x204", "+15551234567;ext=9"]
)
def test_a_number_with_an_extension_is_refused_rather_than_cut_short(typed):
    with pytest.raises(PhoneHasExtension):
        normalise_phone(typed)
