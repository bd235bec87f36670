"""booking.tokens: the signed booking ids behind the confirmation page and the self-service link."""

from __future__ import annotations

import uuid

from django.core import signing

from booking.tokens import sign_booking_id, unsign_booking_id

BOOKING_ID = uuid.UUID("3f2b8c1e-9a47-4d2e-8b61-0c5a7e9d1f34")


def test_a_token_gives_back_its_booking_id():
    token = sign_booking_id(BOOKING_ID, salt="one.purpose")

    assert unsign_booking_id(token, salt="one.purpose") == BOOKING_ID
    assert BOOKING_ID.hex not in token.split(":")[-1], "the signature is not the id again"


def test_a_token_made_for_another_purpose_opens_nothing():
    token = sign_booking_id(BOOKING_ID, salt="one.purpose")

    assert unsign_booking_id(token, salt="another.purpose") is None


def test_an_altered_token_opens_nothing():
    token = sign_booking_id(BOOKING_ID, salt="one.purpose")
    other = uuid.UUID(int=BOOKING_ID.int + 1).hex

    assert unsign_booking_id(other + token[32:], salt="one.purpose") is None
    assert unsign_booking_id(token[:-2], salt="one.purpose") is None
    assert unsign_booking_id("", salt="one.purpose") is None


def test_a_signed_value_that_is_not_a_booking_id_opens_nothing():
    token = signing.Signer(salt="one.purpose").sign("not-a-uuid")

    assert unsign_booking_id(token, salt="one.purpose") is None


def test_a_token_stops_working_when_the_secret_key_changes(settings):
    token = sign_booking_id(BOOKING_ID, salt="one.purpose")
    settings.SECRET_KEY = "a-rotated-secret-key-" + "x" * 40

    assert unsign_booking_id(token, salt="one.purpose") is None
