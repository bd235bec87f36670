"""The technicians tests' toolbox: hiring a technician the way the admin and the command do."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from technicians.links import day_token
from technicians.models import Technician
from technicians.services import Away, technician_create


def hire(
    shop,
    name: str,
    *,
    skills: Iterable[str] = (),
    hours: tuple[str, str] = ("08:00", "17:00"),
    weekdays: Iterable[int] = range(5),
    off: Iterable[Away] = (),
    **details,
) -> Technician:
    """A technician of `shop` on shift `hours` on `weekdays` (Monday to Friday by default),
    through technician_create."""
    start, end = (dt.time.fromisoformat(hour) for hour in hours)
    return technician_create(
        shop=shop,
        name=name,
        skills=skills,
        shifts={weekday: (start, end) for weekday in weekdays},
        time_off=off,
        **details,
    )


def ann_of(shop) -> Technician:
    """Ann Lee: all appliances, Monday to Friday 8-17, with an e-mail and a mobile."""
    return hire(shop, "Ann Lee", email="ann@example.com", mobile_phone="+16615550170")


def job_path(technician: Technician, booking, action: str) -> str:
    """The day page's form address for `action` ("on-my-way" or "done") on `booking`."""
    return f"/t/{day_token(technician)}/jobs/{booking.pk}/{action}"
