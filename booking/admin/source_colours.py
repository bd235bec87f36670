"""A booking's source as the admin shows it: by name, and in a colour that never changes."""

from __future__ import annotations

import zlib

# Twelve colours far enough apart to tell at a glance, each readable with white text.
PALETTE = [
    "#1f5fbf",  # blue
    "#c62828",  # red
    "#2e7d32",  # green
    "#7b1fa2",  # purple
    "#d35400",  # orange
    "#00838f",  # teal
    "#ad1457",  # magenta
    "#6d7a00",  # olive
    "#5d4037",  # brown
    "#455a64",  # slate
    "#3949ab",  # indigo
    "#b8860b",  # dark gold
]
# What the admin calls a booking without a source (one the shop took itself).
NO_SOURCE = "direct"
# The partners a shop hears from most get colours that never clash with each other.
KNOWN_SOURCES = {
    "ahs": 0,
    "frontdoor": 1,
    "angi": 2,
    "cinch": 3,
    "choice": 4,
    "homeadvisor": 5,
    "thumbtack": 6,
    "firstamerican": 7,
    NO_SOURCE: 9,
}


def source_colour_index(source: str) -> int:
    """The source's place in PALETTE: the calendar's cards name it by a class (admin.css)."""
    key = (source or NO_SOURCE).lower()
    if key in KNOWN_SOURCES:
        return KNOWN_SOURCES[key]
    return zlib.crc32(key.encode()) % len(PALETTE)


def source_colour(source: str) -> str:
    """The same source is the same colour on every page and every day."""
    return PALETTE[source_colour_index(source)]
