from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from booking import ledger
from tenants.models import Shop


class Command(BaseCommand):
    help = (
        "Check that every seat counter equals the bookings holding a seat at that start; print "
        "each mismatch and exit 1 when there is one. --repair corrects the counters."
    )

    def add_arguments(self, parser):
        parser.add_argument("--shop", metavar="SLUG", help="Check one shop only.")
        parser.add_argument(
            "--repair", action="store_true", help="Correct what can be corrected, and say what."
        )

    def handle(self, *args, shop: str | None = None, repair: bool = False, **options):
        shop_ids = None
        if shop:
            shop_ids = list(Shop.objects.filter(slug=shop).values_list("pk", flat=True))
            if not shop_ids:
                raise CommandError(f"No shop has the slug {shop!r}.")
        findings = ledger.run_checks(shop_ids)
        if not findings:
            self.stdout.write("The ledger adds up.")
            return
        left = 0
        for finding in findings:
            self.stdout.write(f"{finding.check}: {finding.message}")
            if not repair:
                left += 1
            elif finding.repair is None:
                self.stdout.write("  cannot be repaired here: a person must look at it")
                left += 1
            else:
                self.stdout.write(f"  repaired: {finding.repair()}")
        if left:
            # CommandError prints the sentence and exits 1, which is what cron and CI look at.
            raise CommandError(f"{left} problem(s) in the ledger.")
        self.stdout.write(f"Repaired {len(findings)} problem(s).")
