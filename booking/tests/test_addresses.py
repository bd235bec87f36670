"""Where a ZIP code stands in an address as a customer or a partner types it."""

from __future__ import annotations

import pytest

from booking.addresses import zip_code_of


@pytest.mark.parametrize(
    "address, zip_code",
    [
        ("123 Main St, Lancaster CA 93534", "93534"),
        ("9 Elm St, Lancaster CA 93535-1234", "93535"),
        ("9 Elm St, Lancaster, ca, 93535", "93535"),
        ("93535-1234", "93535"),
        ("44 Oak Ave, Lancaster, California 93536", "93536"),
        ("123 Main St, Lancaster CA 93534, USA", "93534"),
        ("12345 Avenue J, Lancaster CA 93534 (gate code 54321)", "93534"),
    ],
)
def test_the_zip_code_is_read_after_the_state_or_at_the_end(address, zip_code):
    assert zip_code_of(address) == zip_code


@pytest.mark.parametrize(
    "address",
    [
        "10250 Sierra Hwy, Lancaster CA",
        "43210 20th St W, Lancaster",
        "PO Box 12345, Lancaster CA",
        "",
    ],
)
def test_a_house_number_or_a_box_is_never_read_as_the_zip_code(address):
    assert zip_code_of(address) == ""
