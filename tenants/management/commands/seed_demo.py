from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import scheduler_account_create, scheduler_account_rotate_key
from tenants.models import Membership, Shop
from tenants.services import DEMO_SLUG, shop_create

# Demo logins for a laptop; documented in the README. Never used outside seed_demo.
DEMO_LOGINS = [
    ("owner", "demo-owner-pass", Membership.Role.OWNER),
    ("dispatcher", "demo-dispatch-pass", Membership.Role.DISPATCHER),
]
DEMO_PARTNER = "Demo Warranty Co"
DEMO_PARTNER_LOGIN = ("partner", "demo-partner-pass")


class Command(BaseCommand):
    help = (
        "Create the demo shop done-right-appliance with owner and dispatcher logins (idempotent)."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        shop = Shop.objects.filter(slug=DEMO_SLUG).first()
        if shop is None:
            shop = shop_create(
                name="Done Right Appliance",
                slug=DEMO_SLUG,
                time_zone="America/Los_Angeles",
                phone="+16615550123",
                address="44 W Lancaster Blvd, Lancaster CA 93534",
                notification_email="dispatch@done-right-appliance.example",
            )
        User = get_user_model()
        for username, password, role in DEMO_LOGINS:
            user, created = User.objects.get_or_create(
                username=username, defaults={"is_staff": True}
            )
            if created:
                user.set_password(password)
                user.save()
            Membership.objects.get_or_create(user=user, shop=shop, defaults={"role": role})
        # Only the key's hash is stored, so a re-run cannot show the old key: it issues a new
        # one, and the demo always starts with a key that works.
        account = SchedulerAccount.objects.filter(shop=shop, name=DEMO_PARTNER).first()
        if account is None:
            account, partner_key = scheduler_account_create(
                shop=shop,
                name=DEMO_PARTNER,
                source_tag="demo-warranty",
                allowed_fields=["priority", "partner_reference", "dispatcher_notes"],
                username=DEMO_PARTNER_LOGIN[0],
                password=DEMO_PARTNER_LOGIN[1],
            )
        else:
            partner_key = scheduler_account_rotate_key(account=account)
        base = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS(f"Demo shop ready: {shop.name} ({shop.slug})"))
        self.stdout.write(f"  Booking page:  {base}/book/{shop.slug}")
        self.stdout.write(f"  Admin:         {base}/admin/")
        for username, password, role in DEMO_LOGINS:
            self.stdout.write(f"    {role:<10} {username} / {password}")
        self.stdout.write(f"  Partner API:   POST {base}/api/booking/book")
        self.stdout.write(f"  API docs:      {base}/api/docs")
        self.stdout.write(f"  Partner portal: {base}/scheduler-login.html")
        self.stdout.write(f"    {DEMO_PARTNER}: {DEMO_PARTNER_LOGIN[0]} / {DEMO_PARTNER_LOGIN[1]}")
        self.stdout.write(f"  Partner key ({DEMO_PARTNER}, new on every run):")
        self.stdout.write(partner_key)
