"""The demo shop of `make run`: its logins, partner, technicians, sample bookings, partner
key, and the "where to go" lines that tell a newcomer where everything is.

seed_demo makes it (idempotent) and where_to_go prints the lines once the server listens.
Everything is booked through booking_create, like any booking, without e-mails; the
technicians are hired first, so booking_create gives every sample job to one of them.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model

from applianceops.mail import FOLDER_BACKEND
from booking import capacity, slots
from booking.availability import schedule_of
from booking.models import Booking
from booking.services import BookingError, Customer, Extras, Job, booking_assign, booking_create
from schedulerAccounts import keys
from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import scheduler_account_create, scheduler_account_rotate_key
from technicians.links import day_url
from technicians.models import Technician
from technicians.services import Away, technician_create
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
# The demo shop takes jobs every day of the week, so the day the admin opens on (the shop's
# today, a Sunday too) always has bookings to show.
DEMO_WEEKDAYS = list(range(7))
# The demo's bookings were "taken" at this hour the evening before its first day: then even a
# start that is already past today could be booked, as a real shop's would have been.
TAKEN_THE_EVENING_BEFORE = dt.time(17)
Channel = Booking.Channel
# Three technicians with different skills and weeks: (name, skills (none: all), shift, weekdays).
# Carlos works every day (the demo shop takes jobs every day), so each day has someone.
DEMO_TECHNICIANS = [
    ("Carlos Diaz", [], ("08:00", "17:00"), range(7)),
    (
        "Dana Brooks",
        ["Refrigerator", "Washer", "Dryer", "Dishwasher", "Garbage Disposal"],
        ("07:30", "16:00"),
        range(5),
    ),
    (
        "Eli Park",
        ["Range", "Wall Oven", "Cooktop", "Microwave", "Refrigerator"],
        ("10:00", "18:00"),
        range(1, 6),
    ),
]
# Dana is off tomorrow afternoon (from a time on one day): the board shows her lane shaded.
DEMO_TIME_OFF = ("Dana Brooks", dt.time(12), "Dentist")
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


def demo_shop() -> Shop:
    """The demo shop with its owner and dispatcher logins, made on the first call."""
    shop = Shop.objects.filter(slug=DEMO_SLUG).first()
    if shop is None:
        shop = shop_create(
            name="Done Right Appliance",
            slug=DEMO_SLUG,
            time_zone="America/Los_Angeles",
            phone="+16615550123",
            address="44 W Lancaster Blvd, Lancaster CA 93534",
            notification_email="dispatch@done-right-appliance.example",
            weekdays=DEMO_WEEKDAYS,
        )
    User = get_user_model()
    for username, password, role in DEMO_LOGINS:
        user, created = User.objects.get_or_create(username=username, defaults={"is_staff": True})
        if created:
            user.set_password(password)
            user.save()
        Membership.objects.get_or_create(user=user, shop=shop, defaults={"role": role})
    return shop


def demo_technicians(shop: Shop) -> list[Technician]:
    """The demo's technicians, hired on the first run (a shop with any keeps its own)."""
    if shop.technicians.exists():
        return list(shop.technicians.all())
    tomorrow = shop.today() + dt.timedelta(days=1)
    off_name, off_from, off_reason = DEMO_TIME_OFF
    hired = []
    for name, skills, (start, end), weekdays in DEMO_TECHNICIANS:
        hours = (dt.time.fromisoformat(start), dt.time.fromisoformat(end))
        away = Away(tomorrow, tomorrow, from_time=off_from, reason=off_reason)
        hired.append(
            technician_create(
                shop=shop,
                name=name,
                email=f"{name.split()[0].lower()}@done-right-appliance.example",
                mobile_phone=f"+1661555{201 + len(hired):04d}",
                skills=skills,
                shifts=dict.fromkeys(weekdays, hours),
                time_off=[away] if name == off_name else [],
            )
        )
    return hired


def assign_open_jobs(shop: Shop) -> int:
    """Give each unassigned job from today on to a free technician, the fairest first: a demo
    seeded before it had technicians shows them a real day too. Returns how many were given."""
    jobs = Booking.objects.holding_seats().filter(
        shop=shop, technician__isnull=True, scheduled_date__gte=shop.today()
    )
    given = 0
    for job in jobs:
        day, start = job.scheduled_date, job.scheduled_time
        need = capacity.Need(job.appliance_type, job.job_minutes)
        room = capacity.room(shop, day, day, need=need, ignoring=job)
        for technician in room.free_technicians(day, start):
            try:
                booking_assign(booking=job, technician=technician)
            except BookingError:
                continue  # taken meanwhile: the next one
            given += 1
            break
    return given


def demo_partner(shop: Shop, key_file: Path) -> tuple[SchedulerAccount, str]:
    """The demo scheduler account and its key: the one kept in `key_file` while it still works.

    Only a key's hash is stored, so the plaintext lives in that local, git-ignored file; a key
    saved from the first `make run` keeps working on the next. A new key (and file) only when
    the file is missing or its key is not this account's any more.
    """
    account = SchedulerAccount.objects.filter(shop=shop, name=DEMO_PARTNER).first()
    if account is None:
        account, key = scheduler_account_create(
            shop=shop,
            name=DEMO_PARTNER,
            source_tag=DEMO_PARTNER_TAG,
            allowed_fields=["priority", "partner_reference", "dispatcher_notes"],
            username=DEMO_PARTNER_LOGIN[0],
            password=DEMO_PARTNER_LOGIN[1],
        )
        return account, key
    kept = read_key(key_file)
    if kept and _still_works(account, kept):
        return account, kept
    return account, scheduler_account_rotate_key(account=account)


def _still_works(account: SchedulerAccount, key: str) -> bool:
    return (
        account.is_active
        and account.key_revoked_at is None
        and keys.key_prefix(key) == account.key_prefix
        and keys.key_matches(key, account.key_hash)
    )


def read_key(key_file: Path) -> str:
    try:
        return key_file.read_text().strip()
    except OSError:
        return ""


def keep_key(key_file: Path, key: str) -> None:
    """Write the key for the next run, readable by this user only."""
    key_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(key + "\n")


def where_to_go(shop: Shop, partner_key: str, key_file: Path) -> list[str]:
    """Where everything is, with the logins: what a newcomer needs from `make run`."""
    base = settings.SITE_URL
    lines = [
        f"The demo shop: {shop.name} ({shop.slug})",
        f"  Booking page:   {base}/book/{shop.slug}",
        f"  Admin:          {base}/admin/",
        *[f"    {role:<10} {username} / {password}" for username, password, role in DEMO_LOGINS],
        f"  Partner API:    POST {base}/api/booking/book",
        f"  API docs:       {base}/api/docs",
        f"  Partner portal: {base}/scheduler-login.html",
        f"    {DEMO_PARTNER}: {DEMO_PARTNER_LOGIN[0]} / {DEMO_PARTNER_LOGIN[1]}",
        *_where_emails_go(),
        *_a_technicians_day(shop),
        f"  Partner key ({DEMO_PARTNER}; the same every run, kept in {key_file}):",
        partner_key,
    ]
    return lines


def _a_technicians_day(shop: Shop) -> list[str]:
    technician = shop.technicians.active().first()
    if technician is None:
        return []
    return [f"  A technician's day ({technician.name}; no login): {day_url(technician)}"]


def _where_emails_go() -> list[str]:
    if settings.EMAIL_BACKEND != FOLDER_BACKEND:
        return []
    folder = settings.EMAIL_FILE_PATH
    return [f"  E-mails:        a line each in this terminal; read them in {folder}"]


def seed_bookings(shop: Shop, account: SchedulerAccount) -> int:
    """Sample bookings from every door: a week of them while the shop has none at all, and a
    day's worth for today whenever today has none (a demo run again days later). Returns how
    many were made."""
    schedule = schedule_of(shop.booking_settings)
    today = shop.today()
    if Booking.objects.filter(shop=shop).exists():
        holding_today = Booking.objects.filter(shop=shop, scheduled_date=today).holding_seats()
        if holding_today.exists() or slots.day_closed_reason(schedule, today, today):
            return 0
        days = [today]
    else:
        ahead = (today + dt.timedelta(days=n) for n in range(schedule.horizon_days + 1))
        days = [day for day in ahead if not slots.day_closed_reason(schedule, day, today)]
    taken_at = dt.datetime.combine(
        today - dt.timedelta(days=1), TAKEN_THE_EVENING_BEFORE, tzinfo=shop.tz
    )
    customers = itertools.cycle(SAMPLE_CUSTOMERS)
    made = 0
    for day_number, day in enumerate(days[:SAMPLE_DAYS]):
        # A different handful each day, so the week does not look stamped out.
        jobs = SAMPLE_JOBS[day_number % 3 :] + SAMPLE_JOBS[: day_number % 2]
        for job in jobs:
            made += _sample_booking(shop, account, day, job, next(customers), made, taken_at)
    return made


def _sample_booking(shop, account, day, job, customer, made: int, taken_at) -> int:
    """Book one sample job; 1 if booked, 0 if the day had no room for it."""
    time_slot, source, channel, wo_pattern, claim_pattern = job
    name, phone, address, appliance, issue = customer
    number = 1000 + made * 37 + day.toordinal() % 97
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
            agent=account.agents.first() if by_partner else None,
            extras=Extras(
                status=Booking.Status.CONFIRMED if made % 3 == 0 else Booking.Status.SCHEDULED,
                priority=Booking.Priority.URGENT if made % 7 == 3 else Booking.Priority.NORMAL,
                partner_reference=f"DW-REF-{number}" if by_partner else "",
            ),
            notify=False,
            taken_at=taken_at,
        )
    except BookingError:
        return 0  # that day filled up or changed; the demo does not need every job
    return 1
