from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from applianceops.lib.commands import refused
from technicians.models import Technician
from technicians.services import Away, technician_create
from tenants.models import WEEKDAY_NAMES, Shop

_SHIFT_RE = re.compile(r"^([a-z]+)=(\d{1,2}:\d{2})-(\d{1,2}:\d{2})$")
_FULL_WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _time(text: str, option: str) -> dt.time:
    try:
        return dt.time.fromisoformat(text.zfill(5))
    except ValueError:
        raise CommandError(f"{option}: {text!r} is not a time like 08:00") from None


def parse_shift(text: str) -> tuple[int, dt.time, dt.time]:
    """ "mon=08:00-17:00" -> (0, 08:00, 17:00); CommandError in words that say how."""
    match = _SHIFT_RE.match(text.strip().lower())
    if not match:
        raise CommandError(
            f"--shift {text!r}: write a weekday and its hours, e.g. --shift mon=08:00-17:00"
        )
    name, start, end = match.groups()
    if name in _FULL_WEEKDAY_NAMES:
        name = name[:3]
    if name not in WEEKDAY_NAMES:
        raise CommandError(f"--shift {text!r}: {name!r} is not a weekday; use mon, tue ... sun")
    option = f"--shift {text!r}"
    start_time, end_time = _time(start, option), _time(end, option)
    if end_time <= start_time:
        raise CommandError(f"{option}: the shift must end after it starts")
    return WEEKDAY_NAMES.index(name), start_time, end_time


def parse_off(text: str) -> Away:
    """ "2026-12-24" or "2026-12-24:2026-12-26" -> whole days off."""
    first, _, last = text.strip().partition(":")
    try:
        first_day = dt.date.fromisoformat(first)
        last_day = dt.date.fromisoformat(last) if last else first_day
    except ValueError:
        raise CommandError(
            f"--off {text!r}: write a day or a range, e.g. --off 2026-12-24 or "
            "--off 2026-12-24:2026-12-26"
        ) from None
    if last_day < first_day:
        raise CommandError(f"--off {text!r}: the last day is before the first")
    return Away(first_day, last_day)


class Command(BaseCommand):
    help = (
        "Create a technician for a shop, with the appliances they service, their weekly shifts "
        "and their time off. Nothing is written unless all of it is right."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the shop's slug")
        parser.add_argument("name", help="the technician's name, e.g. 'Mike Ross'")
        parser.add_argument(
            "--skill",
            action="append",
            default=[],
            metavar="TYPE",
            help="an appliance type of the shop they service (repeat; none: all)",
        )
        parser.add_argument(
            "--shift",
            action="append",
            default=[],
            metavar="DAY=HH:MM-HH:MM",
            help="a working weekday and its hours, e.g. mon=08:00-17:00 (repeat; others are off)",
        )
        parser.add_argument(
            "--off",
            action="append",
            default=[],
            metavar="YYYY-MM-DD[:YYYY-MM-DD]",
            help="whole days off (repeat)",
        )
        parser.add_argument("--phone", default="", help="mobile phone")
        parser.add_argument("--email", default="")
        parser.add_argument("--colour", default="", help="e.g. #2563eb (default: the next free)")

    def handle(self, *args, slug, name, skill, shift, off, phone, email, colour, **options):
        shop = Shop.objects.filter(slug=slug.strip().lower()).first()
        if shop is None:
            raise CommandError(f"No shop has the slug {slug!r}.")
        if not name.strip():
            raise CommandError("The technician needs a name.")
        if Technician.objects.filter(shop=shop, name__iexact=" ".join(name.split())).exists():
            raise CommandError(f"{shop.name} already has a technician named {name!r}.")
        shifts = {}
        for text in shift:
            weekday, start, end = parse_shift(text)
            if weekday in shifts:
                raise CommandError(f"--shift: {WEEKDAY_NAMES[weekday]} is given twice")
            shifts[weekday] = (start, end)
        time_off = [parse_off(text) for text in off]
        try:
            technician = technician_create(
                shop=shop,
                name=name,
                mobile_phone=phone,
                email=email,
                colour=colour,
                skills=skill,
                shifts=shifts,
                time_off=time_off,
            )
        except ValidationError as exc:
            raise refused(exc) from None
        self._report(technician)

    def _report(self, technician: Technician) -> None:
        shop = technician.shop
        self.stdout.write(self.style.SUCCESS(f"Created technician {technician} at {shop.name}."))
        self.stdout.write(f"Services: {technician.skills_label()}")
        self.stdout.write(f"Shifts: {technician.week_label()}")
        for away in technician.time_off.all():
            self.stdout.write(f"Time off: {away.describe()}")
