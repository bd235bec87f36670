"""Matching a partner's appliance text to a shop's types. Pure."""

from __future__ import annotations

import re

OTHER = "Other"

# Words partners and customers use, mapped to the contract's types.
SYNONYMS = {
    "fridge": "Refrigerator",
    "refrigerator": "Refrigerator",
    "refridgerator": "Refrigerator",
    "refrigerator freezer": "Refrigerator",
    "fridge freezer": "Refrigerator",
    "ice maker": "Refrigerator",
    "washer": "Washer",
    "washing machine": "Washer",
    "clothes washer": "Washer",
    "laundry washer": "Washer",
    "dryer": "Dryer",
    "clothes dryer": "Dryer",
    "tumble dryer": "Dryer",
    "gas dryer": "Dryer",
    "electric dryer": "Dryer",
    "dishwasher": "Dishwasher",
    "dish washer": "Dishwasher",
    "range": "Range",
    "stove": "Range",
    "gas range": "Range",
    "electric range": "Range",
    "oven range": "Range",
    "cooker": "Range",
    "microwave": "Microwave",
    "microwave oven": "Microwave",
    "over the range microwave": "Microwave",
    "otr microwave": "Microwave",
    "oven": "Wall Oven",
    "wall oven": "Wall Oven",
    "built in oven": "Wall Oven",
    "cooktop": "Cooktop",
    "cook top": "Cooktop",
    "stovetop": "Cooktop",
    "stove top": "Cooktop",
    "hob": "Cooktop",
    "garbage disposal": "Garbage Disposal",
    "disposal": "Garbage Disposal",
    "garbage disposer": "Garbage Disposal",
    "disposer": "Garbage Disposal",
    "waste disposal": "Garbage Disposal",
}


def _normalise(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", " ", text.lower()).split()
    return " ".join(words)


def match_appliance(text: str, shop_types: list[str]) -> tuple[str, str]:
    """(the shop's type, the original text to keep or "").

    A booking is never refused for a taxonomy mismatch: unknown text becomes Other, kept for the
    dispatcher.
    """
    wanted = _normalise(text)
    by_name = {_normalise(t): t for t in shop_types}
    candidates = [wanted]
    if wanted.endswith("s"):
        candidates.append(wanted[:-1])
    for candidate in candidates:
        if candidate in by_name:
            exact = by_name[candidate]
            return exact, "" if exact == text.strip() else text.strip()
        canonical = SYNONYMS.get(candidate)
        if canonical and _normalise(canonical) in by_name:
            return by_name[_normalise(canonical)], text.strip()
    return by_name.get(_normalise(OTHER), OTHER), text.strip()
