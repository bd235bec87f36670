"""Signed booking ids: addresses a customer can keep that cannot be guessed, derived or altered.

The id is signed with SECRET_KEY under a salt per purpose (the confirmation page, the
self-service link), so a token made for one purpose never opens another.
"""

from __future__ import annotations

import uuid

from django.core import signing


def sign_booking_id(booking_id: uuid.UUID, *, salt: str) -> str:
    return signing.Signer(salt=salt).sign(booking_id.hex)


def unsign_booking_id(token: str, *, salt: str) -> uuid.UUID | None:
    """The id a token carries, or None when it is forged, altered or made for another purpose."""
    try:
        return uuid.UUID(hex=signing.Signer(salt=salt).unsign(token))
    except (signing.BadSignature, ValueError):
        return None
