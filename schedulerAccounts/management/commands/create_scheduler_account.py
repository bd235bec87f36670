from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from applianceops.lib.commands import refused
from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import scheduler_account_create
from tenants.models import Shop


class Command(BaseCommand):
    help = (
        "Create a scheduler account (a partner's private key and portal login) for a shop. "
        "The API key is printed once, on the last line."
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

    def handle(self, *args, slug, name, username, password, **options):
        if bool(username) != bool(password):
            raise CommandError("--username and --password go together.")
        shop = Shop.objects.filter(slug=slug.strip().lower()).first()
        if shop is None:
            raise CommandError(f"No shop has the slug {slug!r}.")
        if SchedulerAccount.objects.filter(shop=shop, name__iexact=name.strip()).exists():
            raise CommandError(f"{shop.name} already has a scheduler account named {name!r}.")
        try:
            account, key = scheduler_account_create(
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
        except ValidationError as exc:
            raise refused(exc) from None
        self.stdout.write(
            self.style.SUCCESS(f"Created scheduler account {account.name} for {shop.name}.")
        )
        self.stdout.write(
            f"Source tag: {account.source_tag}; limits: {account.requests_per_hour} requests "
            f"and {account.bookings_per_hour} bookings per hour."
        )
        if username:
            self.stdout.write(f"Portal login: {username} at /scheduler-login.html")
        self.stdout.write("API key (shown once; store it now, only its hash is kept):")
        self.stdout.write(key)
