from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from tenants.demo import (
    assign_open_jobs,
    demo_partner,
    demo_shop,
    demo_technicians,
    keep_key,
    seed_bookings,
    where_to_go,
)


@contextlib.contextmanager
def _quiet(logger_name: str):
    """The sample bookings are no news: one line says how many, not one line each."""
    logger = logging.getLogger(logger_name)
    level = logger.level
    logger.setLevel(max(logging.WARNING, level))
    try:
        yield
    finally:
        logger.setLevel(level)


class Command(BaseCommand):
    help = (
        "Create the demo shop done-right-appliance with owner, dispatcher and partner logins, "
        "technicians and sample bookings (idempotent), and print where to go."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet",
            action="store_true",
            help="Print one line; `where_to_go` prints where to go (make run: once it listens).",
        )

    def handle(self, *args, quiet: bool = False, **options):
        key_file = Path(settings.DEMO_PARTNER_KEY_FILE)
        with transaction.atomic(), _quiet("booking.services"):
            shop = demo_shop()
            account, partner_key = demo_partner(shop, key_file)
            demo_technicians(shop)
            made = seed_bookings(shop, account)
            assign_open_jobs(shop)
        try:
            keep_key(key_file, partner_key)
        except OSError as exc:
            self.stderr.write(f"Could not keep the partner key in {key_file} ({exc}).")
        ready = f"Demo shop ready: {shop.name} ({shop.slug})"
        if made:
            ready += f", {made} sample bookings added (from today on)"
        self.stdout.write(self.style.SUCCESS(ready))
        if not quiet:
            for line in where_to_go(shop, partner_key, key_file):
                self.stdout.write(line)
