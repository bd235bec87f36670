"""manage.py seed_demo: the demo shop and its logins, as often as you like."""

from __future__ import annotations

import datetime as dt
import stat
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import authenticate
from django.core import mail
from django.core.management import call_command

from booking.models import Booking, Notification, SeatCounter
from booking.tests.helpers import MONDAY, at_shop, run_worker
from schedulerAccounts.services import scheduler_account_for_key, scheduler_account_revoke_key
from technicians.links import day_url
from technicians.models import Technician, TimeOff
from tenants.demo import demo_partner, demo_shop, seed_bookings
from tenants.models import Membership, Shop

pytestmark = pytest.mark.django_db


def seed_demo() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_it_creates_the_demo_shop_with_an_owner_and_a_dispatcher():
    seed_demo()

    shop = Shop.objects.get(slug="done-right-appliance")
    assert shop.name == "Done Right Appliance"
    assert shop.time_zone == "America/Los_Angeles"
    assert "Lancaster CA" in shop.address
    assert shop.booking_settings.booking_enabled
    owner = authenticate(username="owner", password="demo-owner-pass")
    dispatcher = authenticate(username="dispatcher", password="demo-dispatch-pass")
    roles = dict(Membership.objects.filter(shop=shop).values_list("user__username", "role"))
    assert owner is not None and roles[owner.username] == Membership.Role.OWNER
    assert dispatcher is not None and roles[dispatcher.username] == Membership.Role.DISPATCHER
    assert Membership.objects.get(user=dispatcher).role == Membership.Role.DISPATCHER


def test_it_prints_the_logins_and_urls(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"

    output = seed_demo()

    assert "http://127.0.0.1:8000/book/done-right-appliance" in output
    assert "http://127.0.0.1:8000/admin/" in output
    assert "POST http://127.0.0.1:8000/api/booking/book" in output
    assert "http://127.0.0.1:8000/api/docs" in output
    assert "owner / demo-owner-pass" in output
    assert "dispatcher / demo-dispatch-pass" in output


def test_running_it_twice_changes_nothing():
    seed_demo()
    counts = (Shop.objects.count(), Membership.objects.count())

    output = seed_demo()

    assert (Shop.objects.count(), Membership.objects.count()) == counts == (1, 2)
    assert "Demo shop ready" in output


@pytest.fixture
def monday_morning(freeze_now):
    # conftest's monday_morning would create shop A, which is the demo shop seed_demo makes.
    freeze_now(at_shop(Shop(time_zone="America/Los_Angeles"), MONDAY, 6))


def test_it_fills_the_next_working_days_with_bookings_from_every_door(monday_morning):
    output = seed_demo()

    bookings = Booking.objects.filter(shop__slug="done-right-appliance")
    assert bookings.count() == 38
    assert "38 sample bookings" in output
    days = sorted(set(bookings.values_list("scheduled_date", flat=True)))
    assert days == [MONDAY + dt.timedelta(days=n) for n in range(5)], "five days from today on"
    assert set(bookings.values_list("source", flat=True)) == {
        "ahs",
        "cinch",
        "angi",
        "web",
        "demo-warranty",
        "",
    }
    assert set(bookings.values_list("channel", flat=True)) == set(Booking.Channel.values)
    partner = bookings.filter(source="demo-warranty")
    assert partner.exists() and all(b.account.name == "Demo Warranty Co" for b in partner)
    assert bookings.exclude(work_order_number="").exists()
    assert bookings.exclude(claim_number="").exists()
    # Through booking_create: every booking holds a seat.
    assert sum(SeatCounter.objects.values_list("booked", flat=True)) == 38


def test_the_sample_bookings_send_no_emails(monday_morning, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        seed_demo()
    run_worker()

    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_running_it_again_adds_no_more_bookings(monday_morning):
    seed_demo()

    output = seed_demo()

    assert Booking.objects.count() == 38
    assert "sample bookings" not in output


def test_a_shop_with_bookings_of_its_own_gets_no_samples(monday_morning):
    seed_demo()
    shop = Shop.objects.get(slug="done-right-appliance")
    kept = Booking.objects.first()
    Booking.objects.exclude(pk=kept.pk).delete()

    seed_demo()

    assert list(Booking.objects.filter(shop=shop)) == [kept]


def test_run_late_in_the_shops_day_today_still_has_bookings(freeze_now):
    # 18:00: every start of the day is past, yet the admin opens on today.
    freeze_now(at_shop(Shop(time_zone="America/Los_Angeles"), MONDAY, 18))

    seed_demo()

    today = Booking.objects.filter(scheduled_date=MONDAY)
    assert today.count() >= 5
    assert all(b.holds_seat for b in today)
    assert sum(SeatCounter.objects.filter(date=MONDAY).values_list("booked", flat=True)) == (
        today.count()
    )


def test_on_a_sunday_the_demo_shop_works_and_has_bookings(freeze_now):
    sunday = MONDAY - dt.timedelta(days=1)
    freeze_now(at_shop(Shop(time_zone="America/Los_Angeles"), sunday, 9))

    seed_demo()

    assert Booking.objects.filter(scheduled_date=sunday).exists()


def test_run_again_days_later_it_books_today_too(freeze_now):
    zone = Shop(time_zone="America/Los_Angeles")
    freeze_now(at_shop(zone, MONDAY, 6))
    seed_demo()
    later = MONDAY + dt.timedelta(days=9)
    freeze_now(at_shop(zone, later, 16))

    output = seed_demo()

    assert Booking.objects.filter(scheduled_date=later).exists()
    assert "sample bookings added" in output
    count = Booking.objects.count()
    seed_demo()
    assert Booking.objects.count() == count, "today has its bookings now: nothing more"


def test_the_partner_key_stays_the_same_from_one_run_to_the_next(settings):
    first = seed_demo().splitlines()[-1]
    second = seed_demo().splitlines()[-1]

    assert first == second
    assert scheduler_account_for_key(second).name == "Demo Warranty Co"
    key_file = Path(settings.DEMO_PARTNER_KEY_FILE)
    assert key_file.read_text().strip() == first
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


@pytest.mark.parametrize("kept", ["", "ao_live_notakey", "revoked"])
def test_a_missing_or_dead_kept_key_is_replaced_by_a_working_one(settings, kept):
    first = seed_demo().splitlines()[-1]
    key_file = Path(settings.DEMO_PARTNER_KEY_FILE)
    if kept == "revoked":
        scheduler_account_revoke_key(account=scheduler_account_for_key(first))
    else:
        key_file.write_text(kept)

    second = seed_demo().splitlines()[-1]

    assert second != first
    assert scheduler_account_for_key(second).name == "Demo Warranty Co"
    assert key_file.read_text().strip() == second


def test_it_hires_three_technicians_and_gives_them_the_sample_jobs(monday_morning, settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    output = seed_demo()

    technicians = list(Technician.objects.filter(shop__slug="done-right-appliance"))
    assert [t.name for t in technicians] == ["Carlos Diaz", "Dana Brooks", "Eli Park"]
    assert len({t.skills_label() for t in technicians}) == 3, "different skills"
    assert len({t.week_label() for t in technicians}) == 3, "different shifts"
    [away] = TimeOff.objects.all()
    assert away.technician.name == "Dana Brooks"
    assert MONDAY < away.first_day < MONDAY + dt.timedelta(days=7), "this week"
    bookings = Booking.objects.filter(shop__slug="done-right-appliance")
    assert all(b.technician is not None for b in bookings), "every sample job is assigned"
    assert all(b.technician.services(b.appliance_type) for b in bookings)
    assert {b.technician.name for b in bookings} == {t.name for t in technicians}
    assert not any(
        b.technician == away.technician
        and away.overlaps(b.starts_at.replace(tzinfo=None), b.ends_at.replace(tzinfo=None))
        for b in bookings
    ), "nobody is booked during their time off"
    assert f"A technician's day (Carlos Diaz; no login): {day_url(technicians[0])}" in output


def test_running_it_again_hires_nobody_twice(monday_morning):
    seed_demo()

    seed_demo()

    assert Technician.objects.count() == 3
    assert TimeOff.objects.count() == 1


def test_a_demo_seeded_before_it_had_technicians_gets_its_jobs_assigned(monday_morning):
    # The demo as it was before technicians: bookings in seats, nobody assigned.
    shop = demo_shop()
    seed_bookings(shop, demo_partner(shop, Path(settings.DEMO_PARTNER_KEY_FILE))[0])
    assert not Booking.objects.exclude(technician=None).exists()

    seed_demo()

    today = Booking.objects.filter(scheduled_date=MONDAY)
    assigned = today.exclude(technician=None)
    assert assigned.count() >= today.count() - 1, "the day's jobs are on technicians now"
    assert all(b.technician.services(b.appliance_type) for b in assigned)
    before = list(Booking.objects.values_list("pk", "technician_id"))
    seed_demo()
    assert list(Booking.objects.values_list("pk", "technician_id")) == before
