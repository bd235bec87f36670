from __future__ import annotations

import socket
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from schedulerAccounts.models import SchedulerAccount
from tenants.demo import DEMO_PARTNER, read_key, where_to_go
from tenants.models import Shop
from tenants.services import DEMO_SLUG

POLL_SECONDS = 0.2


def listening(host: str, port: int) -> bool:
    """Whether a server accepts connections there. A bare connect sends no request, so the
    server logs nothing after the lines this command prints."""
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


class Command(BaseCommand):
    help = (
        "Print where to go in the demo (pages, logins, the partner key). With --wait-for, once "
        "a server listens there: `make run` prints it last, after the server's own start-up."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wait-for", metavar="HOST:PORT", help="wait until this listens")
        parser.add_argument("--timeout", type=float, default=120, metavar="SECONDS")

    def handle(self, *args, wait_for=None, timeout=120, **options):
        shop = Shop.objects.filter(slug=DEMO_SLUG).first()
        if shop is None:
            raise CommandError("There is no demo shop yet: run `manage.py seed_demo` first.")
        if wait_for and not self._wait(wait_for, timeout):
            return  # the server never came up (or was stopped): it said why itself
        key_file = Path(settings.DEMO_PARTNER_KEY_FILE)
        key = read_key(key_file) or "(none kept: run `manage.py seed_demo` to issue one)"
        account = SchedulerAccount.objects.filter(shop=shop, name=DEMO_PARTNER).first()
        if account is None:
            key = "(no demo partner: run `manage.py seed_demo`)"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"ApplianceOps is running at {settings.SITE_URL}/"))
        for line in where_to_go(shop, key, key_file):
            self.stdout.write(line)

    def _wait(self, address: str, timeout: float) -> bool:
        host, _, port = address.rpartition(":")
        if not host or not port.isdigit():
            raise CommandError(f"--wait-for wants HOST:PORT, not {address!r}.")
        host = host.strip("[]")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if listening(host, int(port)):
                return True
            time.sleep(POLL_SECONDS)
        return False
