"""Finding a shop's bookings by what a caller reads out on the phone (the admin's and the
portal's search)."""

from __future__ import annotations

import re

from django.db.models import Q

_REFERENCE_RE = re.compile(r"[0-9a-fA-F]{8}")
_PHONE_TYPED_RE = re.compile(r"[\d\s().+-]+")
# Fewer digits than this match half the phone book; a caller reads out at least the last four.
PHONE_SEARCH_MIN_DIGITS = 4


def spoken_lookup(term: str) -> Q:
    """Bookings found by what a caller reads out: the reference, or a phone typed any way.

    Search fields alone miss both: the reference is part of the id, and "(661) 555-0142" is
    stored as +16615550142.
    """
    term = term.strip()
    found = Q(pk__in=[])
    if _REFERENCE_RE.fullmatch(term):
        found |= Q(id__istartswith=term)
    digits = re.sub(r"\D", "", term)
    if _PHONE_TYPED_RE.fullmatch(term) and len(digits) >= PHONE_SEARCH_MIN_DIGITS:
        found |= Q(phone__contains=digits)
    return found
