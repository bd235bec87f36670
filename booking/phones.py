"""Reading the phone numbers customers and partners type. Pure."""

from __future__ import annotations

import phonenumbers
from django.conf import settings


class PhoneHasExtension(ValueError):
    """A number with an extension: E.164 has no room for it, and dropping it silently would
    leave the technician calling a switchboard."""


def normalise_phone(text: str) -> str:
    """E.164 for a number typed in any usual way (US when no country code); ValueError if not.

    Possible, not valid: the contract's own +15551234567 is in no assigned area code, and a shop
    would rather call a number than turn a customer away over a numbering-plan detail.
    """
    try:
        number = phonenumbers.parse(text.strip(), settings.PHONENUMBER_DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValueError(f"{text!r} is not a phone number") from None
    # A local-only number (seven digits, no area code) cannot be dialled from the shop.
    reason = phonenumbers.is_possible_number_with_reason(number)
    if reason != phonenumbers.ValidationResult.IS_POSSIBLE:
        raise ValueError(f"{text!r} is not a phone number")
    if number.extension:
        raise PhoneHasExtension(f"{text!r} has an extension")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def spoken_phone(number) -> str:
    """A stored number as a dispatcher reads it out: (661) 555-0142 for a number of the shop's
    country, +44 20 7946 0958 for another. Numbers outside any area code (the contract's
    +15551234567) are formatted too: they are possible, and a person still has to dial them."""
    if not number:
        return ""
    parsed = number if isinstance(number, phonenumbers.PhoneNumber) else None
    if parsed is None:
        try:
            parsed = phonenumbers.parse(str(number), settings.PHONENUMBER_DEFAULT_REGION)
        except phonenumbers.NumberParseException:
            return str(number)
    home = phonenumbers.country_code_for_region(settings.PHONENUMBER_DEFAULT_REGION)
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if parsed.country_code == home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(parsed, style)
