from __future__ import annotations

import datetime as dt
import itertools

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from booking import slots
from booking.availability import schedule_of
from booking.models import Booking
from booking.services import BookingError, Customer, Extras, Job, booking_create
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
DEMO_PARTNER_TAG = "demo-warranty"
SAMPLE_DAYS = 5
Channel = Booking.Channel
# (time slot, source, channel, WO#, claim #): a dispatcher's usual mix of doors and partners.
# "partner" stands for the demo scheduler account, which books through its portal.
SAMPLE_JOBS = [
    ("AM", "ahs", Channel.API, "WO-{n:05d}", "AHS-{n:06d}"),
    ("AM", "web", Channel.BOOKING_PAGE, "", ""),
    ("10:00", "partner", Channel.PORTAL, "", "DW-{n:05d}"),
    ("PM", "cinch", Channel.API, "", "CN-{n:06d}"),
    ("13:00", "angi", Channel.API, "", ""),
    ("PM", "", Channel.ADMIN, "", ""),
    ("", "ahs", Channel.API, "WO-{n:05d}", ""),
    ("15:00", "web", Channel.BOOKING_PAGE, "", ""),
]
SAMPLE_CUSTOMERS = [
    (
        "Maria Lopez",
        "+16615550142",
        "1820 W Avenue J, Lancaster CA 93534",
        "Refrigerator",
        "Not cooling; freezer is fine.",
    ),
    (
        "James Carter",
        "+16615550187",
        "43850 10th St W, Lancaster CA 93534",
        "Washer",
        "Will not drain, error code OE.",
    ),
    (
        "Priya Shah",
        "+16615550115",
        "3025 W Avenue K, Lancaster CA 93536",
        "Dryer",
        "Runs but no heat.",
    ),
    (
        "Tom Becker",
        "+16615550163",
        "655 E Avenue K-8, Lancaster CA 93535",
        "Dishwasher",
        "Leaves water in the bottom.",
    ),
    (
        "Angela Kim",
        "+16615550178",
        "2450 E Avenue S, Palmdale CA 93550",
        "Range",
        "Oven does not reach temperature.",
    ),
    (
        "Luis Ortega",
        "+16615550121",
        "38300 Sierra Hwy, Palmdale CA 93550",
        "Microwave",
        "Sparks when running.",
    ),
    (
        "Dana Whitfield",
        "+16615550194",
        "44916 Date Ave, Lancaster CA 93534",
        "Wall Oven",
        "Door lock stuck after self-clean.",
    ),
    (
        "Sam Okafor",
        "+16615550136",
        "1044 W Lancaster Blvd, Lancaster CA 93534",
        "Cooktop",
        "Front burner will not light.",
    ),
    (
        "Hannah Reyes",
        "+16615550109",
        "3741 E Avenue R, Palmdale CA 93550",
        "Garbage Disposal",
        "Hums, does not turn.",
    ),
    (
        "Victor Nguyen",
        "+16615550152",
        "42145 50th St W, Quartz Hill CA 93536",
        "Refrigerator",
        "Ice maker stopped making ice.",
    ),
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
        # Only the key's hash is stored, so a re-run cannot show the old key: it issues a new
        # one, and the demo always starts with a key that works.
        account = SchedulerAccount.objects.filter(shop=shop, name=DEMO_PARTNER).first()
        if account is None:
            account, partner_key = scheduler_account_create(
                shop=shop,
                name=DEMO_PARTNER,
                source_tag=DEMO_PARTNER_TAG,
                allowed_fields=["priority", "partner_reference", "dispatcher_notes"],
                username=DEMO_PARTNER_LOGIN[0],
                password=DEMO_PARTNER_LOGIN[1],
            )
        else:
            partner_key = scheduler_account_rotate_key(account=account)
        sample_count = 0
        if not Booking.objects.filter(shop=shop).exists():
            sample_count = seed_sample_bookings(shop, account)
        base = settings.SITE_URL
        self.stdout.write(self.style.SUCCESS(f"Demo shop ready: {shop.name} ({shop.slug})"))
        if sample_count:
            self.stdout.write(f"  {sample_count} sample bookings over the next working days")
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


def seed_sample_bookings(shop: Shop, account: SchedulerAccount) -> int:
    """A few days of bookings from every door (today too, while it has start times left), so
    the calendar and the admin's today page have something to show.

    They go through booking_create like any booking, so seats are counted, but without e-mails:
    nobody asked for these. Returns how many were made.
    """
    schedule = schedule_of(shop.booking_settings)
    now = shop.now()
    days = [
        day
        for day in (now.date() + dt.timedelta(days=n) for n in range(schedule.horizon_days + 1))
        if slots.open_start_times(schedule, day, now)
    ][:SAMPLE_DAYS]
    customers = itertools.cycle(SAMPLE_CUSTOMERS)
    made = 0
    for day_number, day in enumerate(days):
        # A different handful each day, so the week does not look stamped out.
        jobs = SAMPLE_JOBS[day_number % 3 :] + SAMPLE_JOBS[: day_number % 2]
        for time_slot, source, channel, wo_pattern, claim_pattern in jobs:
            name, phone, address, appliance, issue = next(customers)
            number = 1000 + made * 37 + day_number
            window, time = slots.parse_time_slot(time_slot)
            by_partner = source == "partner"
            try:
                booking_create(
                    shop=shop,
                    customer=Customer(
                        name=name,
                        phone=phone,
                        address=address,
                        email=f"{name.split()[0].lower()}@example.com",
                    ),
                    job=Job(
                        appliance_type=appliance,
                        issue=issue,
                        work_order_number=wo_pattern.format(n=number),
                        claim_number=claim_pattern.format(n=number),
                    ),
                    slot_request=slots.SlotRequest(date=day, window=window, time=time),
                    source=account.source_tag if by_partner else source,
                    channel=channel,
                    account=account if by_partner else None,
                    extras=Extras(
                        status=Booking.Status.CONFIRMED
                        if made % 3 == 0
                        else Booking.Status.SCHEDULED,
                        priority=Booking.Priority.URGENT
                        if made % 7 == 3
                        else Booking.Priority.NORMAL,
                        partner_reference=f"DW-REF-{number}" if by_partner else "",
                    ),
                    notify=False,
                )
            except BookingError:
                continue  # that day filled up or changed; the demo does not need every job
            made += 1
    return made
