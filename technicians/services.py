"""Write path for a shop's technicians, and for giving them jobs on the dispatch board.

The admin and `manage.py create_technician` call these; the board's reassign calls
booking_reassign, which moves a job only through booking.services (and booking.capacity), so
the customer and the technicians hear of it exactly as they do of any other move.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from booking.models import Booking
from booking.services import booking_assign, booking_reschedule
from technicians.models import PALETTE, Shift, Technician, TimeOff, new_link_key
from tenants.models import Shop


@dataclass(frozen=True)
class Away:
    """Time off to record: whole days, or from a time on the first day until one on the last."""

    first_day: dt.date
    last_day: dt.date
    from_time: dt.time | None = None
    until_time: dt.time | None = None
    reason: str = ""


def next_colour(shop: Shop) -> str:
    """The first palette colour no technician of the shop has yet (the palette wraps)."""
    taken = set(shop.technicians.values_list("colour", flat=True))
    free = [colour for colour in PALETTE if colour not in taken]
    return free[0] if free else PALETTE[len(taken) % len(PALETTE)]


def shop_skills(shop: Shop, skills: Iterable[str]) -> list[str]:
    """`skills` as the shop spells its appliance types; ValidationError naming any it lacks."""
    types = {kind.casefold(): kind for kind in shop.booking_settings.appliance_types}
    found, unknown = [], []
    for skill in skills:
        kind = types.get(skill.strip().casefold())
        if kind is None:
            unknown.append(skill)
        elif kind not in found:
            found.append(kind)
    if unknown:
        raise ValidationError(
            {
                "skills": f"{shop.name} has no appliance type {', '.join(map(repr, unknown))}; "
                f"its types are {', '.join(shop.booking_settings.appliance_types)}."
            }
        )
    return found


@transaction.atomic
def technician_create(
    *,
    shop: Shop,
    name: str,
    mobile_phone: str = "",
    email: str = "",
    colour: str = "",
    skills: Iterable[str] = (),
    shifts: Mapping[int, tuple[dt.time, dt.time]] | None = None,
    time_off: Iterable[Away] = (),
) -> Technician:
    """A new technician with their week and time off, all or nothing.

    `shifts` maps a weekday (0 is Monday) to its start and end; a weekday left out is off.
    ValidationError says what is wrong.
    """
    technician = Technician(
        shop=shop,
        name=" ".join(name.split()),
        mobile_phone=mobile_phone,
        email=email,
        colour=colour or next_colour(shop),
        skills=shop_skills(shop, skills),
    )
    technician.full_clean()
    technician.save()
    technician_set_shifts(technician=technician, shifts=shifts or {})
    for away in time_off:
        technician_add_time_off(technician=technician, away=away)
    return technician


@transaction.atomic
def technician_set_shifts(
    *, technician: Technician, shifts: Mapping[int, tuple[dt.time, dt.time]]
) -> None:
    """Replace the technician's week: `shifts` maps a weekday to its start and end.

    Jobs already assigned stay where they are; the dispatcher sees them outside the new shift.
    """
    rows = [
        Shift(technician=technician, weekday=weekday, start=start, end=end)
        for weekday, (start, end) in sorted(shifts.items())
    ]
    for row in rows:
        row.full_clean(exclude=["technician"])
    technician.shifts.all().delete()
    Shift.objects.bulk_create(rows)


def technician_add_time_off(*, technician: Technician, away: Away) -> TimeOff:
    """Record time off. Jobs already assigned then stay; the dispatcher moves them."""
    row = TimeOff(
        technician=technician,
        first_day=away.first_day,
        last_day=away.last_day,
        from_time=away.from_time,
        until_time=away.until_time,
        reason=away.reason,
    )
    row.full_clean()
    row.save()
    return row


def technician_reissue_links(*, technician: Technician) -> Technician:
    """A new day link and feed address; every old one stops working at once."""
    technician.link_key = new_link_key()
    technician.save(update_fields=["link_key"])
    return technician


# --- The dispatch board ---------------------------------------------------------------------


def booking_reassign(
    *,
    booking: Booking,
    technician: Technician | None,
    new_date: dt.date,
    new_time: dt.time,
    allow_overbook: bool = False,
) -> Booking:
    """Give a job to `technician` (None: nobody) at `new_time` on `new_date`: the board's move.

    All of it or none, in one service call. A technician who is busy then, off shift, off work
    or not skilled for it is refused with TechnicianUnavailable; `allow_overbook` (owners)
    waives the shift, skills and time off, never another job. A new time is told to the
    customer by the reschedule e-mail; a job given to nobody at a new time takes no one's time,
    so only the day and start must be open (and, in a shop without technicians, have a seat).
    """
    moved = (new_date, new_time) != (booking.scheduled_date, booking.scheduled_time)
    if moved:
        return booking_reschedule(
            booking=booking,
            new_date=new_date,
            new_time=new_time,
            technician=technician,
            unassigned=technician is None,
            allow_overbook=allow_overbook,
        )
    if (technician.pk if technician else None) == booking.technician_id:
        return booking
    return booking_assign(booking=booking, technician=technician, allow_overbook=allow_overbook)
