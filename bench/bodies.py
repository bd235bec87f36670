"""The bookings the benchmark sends: realistic and all different (bench/bookings.lua mirrors this).

Every body carries an e-mail address (so the confirmation is written, as for most real bookings)
and a work-order number of its own, and the dates cycle through the whole spread so that seats,
not the rate, stay plentiful. Pure: no Django.
"""

from __future__ import annotations

import datetime as dt

TIME_SLOTS = ["AM", "PM", "10:00", "", "14:00", "am", "11:30"]
APPLIANCES = ["Refrigerator", "Washer", "Dryer", "Dishwasher", "Range", "Microwave", "wall oven"]
ISSUES = [
    "Not cooling; the freezer is fine.",
    "Leaks from the door during the rinse cycle.",
    "Drum does not turn, makes a grinding noise.",
    "Error code E4 after a minute.",
]
ZIP_CODES = ["93534", "93535", "93536"]


def booking_body(*, slug: str, tag: str, n: int, first_date: dt.date, days: int) -> dict:
    """The n-th booking of the run `tag`: a different customer, date and work order each time."""
    return {
        "slug": slug,
        "name": f"Bench Customer {tag}-{n}",
        "phone": f"+1661{n % 10_000_000:07d}",
        "email": f"customer{n}.{tag}@example.com",
        "address": f"{n % 9000 + 100} Main St, Lancaster CA {ZIP_CODES[n % len(ZIP_CODES)]}",
        "appliance_type": APPLIANCES[n % len(APPLIANCES)],
        "issue": ISSUES[n % len(ISSUES)],
        "scheduled_date": (first_date + dt.timedelta(days=n % days)).isoformat(),
        "time_slot": TIME_SLOTS[n % len(TIME_SLOTS)],
        "source": "bench",
        "work_order_number": f"WO-{tag}-{n}",
    }
