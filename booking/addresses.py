"""Reading a service address as typed: where its ZIP code stands, and a key two spellings of one
address share. Pure functions, no database."""

from __future__ import annotations

import re

# USPS codes of the states, DC and the territories: a ZIP code follows one of these.
_STATES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR VI GU AS MP"
).split()

_ZIP = r"(\d{5})(?:-\d{4})?"
# After a state code ("Lancaster CA 93534", "CA, 93534-1234"), wherever that stands.
_AFTER_STATE = re.compile(rf"\b(?:{'|'.join(_STATES)})\b[\s,.]*{_ZIP}\b", re.IGNORECASE)
# Or last ("...Lancaster, California 93534"), before nothing but a country name.
_AT_END = re.compile(rf"\b{_ZIP}[\s,.]*(?:(?:USA|US|United States)[\s.]*)?$", re.IGNORECASE)


def zip_code_of(address: str) -> str:
    """The address's five-digit ZIP code, or "" when none stands where a ZIP code stands.

    A ZIP code comes after the state or at the end, so the house number of "10250 Sierra Hwy,
    Lancaster CA" is not one.
    """
    after_state = _AFTER_STATE.findall(address)
    if after_state:
        return after_state[-1]
    at_end = _AT_END.search(address.strip())
    return at_end.group(1) if at_end else ""


# The USPS abbreviations of the words people spell out or shorten in their own ways.
_SAME_WORD = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "drive": "dr",
    "boulevard": "blvd",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "highway": "hwy",
    "parkway": "pkwy",
    "circle": "cir",
    "terrace": "ter",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
    "apartment": "apt",
    "unit": "apt",
    "suite": "apt",
    "ste": "apt",
    "#": "apt",
}
_COUNTRY_AT_END = re.compile(r"[\s,.]*(?:USA|US|United States)[\s.]*$", re.IGNORECASE)


def address_key(address: str) -> str:
    """The address as a key that two spellings of one address share, for finding duplicates.

    Case, punctuation, spacing, a ZIP+4's last four digits, a country at the end and the usual
    abbreviations ("Street"/"St", "Apt"/"#"/"Unit") make no difference; every word still counts.
    """
    address = _COUNTRY_AT_END.sub("", re.sub(r"\b(\d{5})-\d{4}\b", r"\1", address))
    words = re.findall(r"[a-z0-9]+|#", address.casefold())
    return " ".join(_SAME_WORD.get(word, word) for word in words)[:300]
