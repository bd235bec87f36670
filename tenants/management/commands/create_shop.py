from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from applianceops.lib.commands import refused
from tenants.models import WEEKDAY_NAMES, Membership, Shop, slug_validator
from tenants.services import membership_create, shop_create

_FULL_WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]


def _parse_weekdays(text: str) -> list[int]:
    days = []
    for name in text.lower().split(","):
        name = name.strip()
        if name in _FULL_WEEKDAY_NAMES:
            name = name[:3]
        if name not in WEEKDAY_NAMES:
            raise CommandError(
                f"--weekdays: {name!r} is not a weekday; use mon,tue,wed,thu,fri,sat,sun"
            )
        days.append(WEEKDAY_NAMES.index(name))
    return days


class Command(BaseCommand):
    help = "Create a shop with its online-booking settings (and optionally its owner login)."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("--name", required=True)
        parser.add_argument("--timezone", dest="time_zone")
        parser.add_argument("--jobs-per-start-time", type=int)
        parser.add_argument("--weekdays", help="e.g. mon,tue,wed,thu,fri")
        parser.add_argument("--owner", help="username of the owner login to create")
        parser.add_argument("--owner-password")

    def handle(
        self,
        *args,
        slug,
        name,
        time_zone,
        jobs_per_start_time,
        weekdays,
        owner,
        owner_password,
        **options,
    ):
        if bool(owner) != bool(owner_password):
            raise CommandError("--owner and --owner-password go together.")
        try:
            # Alone, so the message is the rule itself and not SlugField's looser one as well.
            slug_validator(slug)
        except ValidationError as exc:
            raise CommandError(f"slug: {exc.messages[0]}") from None
        if Shop.objects.filter(slug=slug).exists():
            raise CommandError(f"The slug {slug!r} is taken.")
        try:
            with transaction.atomic():
                shop = shop_create(
                    name=name,
                    slug=slug,
                    time_zone=time_zone,
                    jobs_per_start_time=jobs_per_start_time,
                    weekdays=_parse_weekdays(weekdays) if weekdays else None,
                )
                if owner:
                    membership_create(
                        shop=shop,
                        username=owner,
                        password=owner_password,
                        role=Membership.Role.OWNER,
                    )
        except ValidationError as exc:
            raise refused(exc) from None
        self.stdout.write(self.style.SUCCESS(f"Created shop {shop.name} ({shop.slug})."))
        self.stdout.write(f"Booking page: /book/{shop.slug}")
        if owner:
            self.stdout.write(f"Owner login: {owner}")
