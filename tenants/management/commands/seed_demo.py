from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from tenants.models import Membership, Shop
from tenants.services import shop_create

DEMO_SLUG = "done-right-appliance"
# Demo logins for a laptop; documented in the README. Never used outside seed_demo.
DEMO_LOGINS = [
    ("owner", "demo-owner-pass", Membership.Role.OWNER),
    ("dispatcher", "demo-dispatch-pass", Membership.Role.DISPATCHER),
]


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
        base = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS(f"Demo shop ready: {shop.name} ({shop.slug})"))
        self.stdout.write(f"  Booking page:  {base}/book/{shop.slug}")
        self.stdout.write(f"  Admin:         {base}/admin/")
        for username, password, role in DEMO_LOGINS:
            self.stdout.write(f"    {role:<10} {username} / {password}")
        self.stdout.write(f"  Partner API:   POST {base}/api/booking/book")
