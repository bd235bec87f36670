from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from applianceops.lib.commands import refused
from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import scheduler_account_create, scheduler_account_rotate_key
from tenants.models import Shop
from webhooks.services import check_endpoint_url, endpoint_create


class Command(BaseCommand):
    help = (
        "Create a scheduler account (a partner's private key and portal login) for a shop. "
        "The API key is printed once, on the last line; with --test-key a test key just before "
        "it, and each --webhook-url's signing secret once, before those."
    )

    def add_arguments(self, parser):
        parser.add_argument("slug", help="the shop's slug")
        parser.add_argument("name", help="the partner's name, e.g. 'Acme Home Warranty'")
        parser.add_argument("--requests-per-hour", type=int)
        parser.add_argument("--bookings-per-hour", type=int)
        parser.add_argument("--source", default="", help="source tag (default: from the name)")
        parser.add_argument(
            "--allow-field",
            action="append",
            default=[],
            choices=[name for name, _ in SchedulerAccount.WRITABLE_FIELD_CHOICES],
            help="an extra field the account may write (repeat for several)",
        )
        parser.add_argument("--may-override-source", action="store_true")
        parser.add_argument("--may-overbook", action="store_true")
        parser.add_argument("--username", default="", help="portal login to create")
        parser.add_argument("--password", default="")
        parser.add_argument(
            "--webhook-url",
            action="append",
            default=[],
            help="an https endpoint told of every event of the account's bookings (repeatable)",
        )
        parser.add_argument(
            "--test-key",
            action="store_true",
            help="also issue a test key (ao_test_...): its bookings take no seat and reach nobody",
        )

    def handle(self, *args, slug, name, username, password, webhook_url, test_key, **options):
        if bool(username) != bool(password):
            raise CommandError("--username and --password go together.")
        shop = Shop.objects.filter(slug=slug.strip().lower()).first()
        if shop is None:
            raise CommandError(f"No shop has the slug {slug!r}.")
        if SchedulerAccount.objects.filter(shop=shop, name__iexact=name.strip()).exists():
            raise CommandError(f"{shop.name} already has a scheduler account named {name!r}.")
        try:
            # Every URL checked before anything is written: a refused one creates nothing.
            urls = [check_endpoint_url(url) for url in webhook_url]
        except ValidationError as exc:
            raise CommandError(f"--webhook-url: {refused(exc)}") from None
        try:
            with transaction.atomic():
                account, key = self._create(shop, name, username, password, options)
                hooks = [endpoint_create(shop=shop, account=account, url=url) for url in urls]
                test = scheduler_account_rotate_key(account=account, test=True) if test_key else ""
        except ValidationError as exc:
            raise refused(exc) from None
        self._report(shop, account, key, username, hooks, test)

    def _create(self, shop, name, username, password, options):
        return scheduler_account_create(
            shop=shop,
            name=name,
            source_tag=options["source"],
            requests_per_hour=options["requests_per_hour"],
            bookings_per_hour=options["bookings_per_hour"],
            allowed_fields=options["allow_field"],
            may_override_source=options["may_override_source"],
            may_overbook=options["may_overbook"],
            username=username,
            password=password,
        )

    def _report(self, shop, account, key, username, hooks, test) -> None:
        self.stdout.write(
            self.style.SUCCESS(f"Created scheduler account {account.name} for {shop.name}.")
        )
        self.stdout.write(
            f"Source tag: {account.source_tag}; limits: {account.requests_per_hour} requests "
            f"and {account.bookings_per_hour} bookings per hour."
        )
        if username:
            self.stdout.write(f"Portal login: {username} at /scheduler-login.html")
        for hook, secret in hooks:
            self.stdout.write(f"Webhook {hook.url}: all events; signing secret (shown once):")
            self.stdout.write(secret)
        if test:
            self.stdout.write(
                "Test key (for development: its bookings take no seat, reach nobody):"
            )
            self.stdout.write(test)
        self.stdout.write("API key (shown once; store it now, only its hash is kept):")
        self.stdout.write(key)
