"""The ledger adds up: what the counters say equals what the bookings say.

Each check is a small function returning `Finding`s; `manage.py check_ledger` runs every check in
CHECKS, prints the findings and, with --repair, applies their repairs. Seat counters equal the
bookings holding a seat; technician time (Occupancy rows) equals the spans of the assigned
bookings holding a seat, one row per five-minute tick (booking.capacity.ticks), and nobody is on
two overlapping jobs.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Count

from booking.capacity import job_end, lock_technicians, ticks
from booking.models import Booking, Occupancy, SeatCounter
from technicians.models import Technician
from tenants.models import BookingSettings, Shop

SeatKey = tuple[int, dt.date, dt.time]  # (shop id, date, start time)


@dataclass(frozen=True)
class Finding:
    """One thing that does not add up, and how to put it right (None: a person must)."""

    check: str
    message: str
    repair: Callable[[], str] | None = None


def _seat_holders(shop_ids: list[int] | None) -> Counter[SeatKey]:
    bookings = Booking.objects.holding_seats()
    if shop_ids is not None:
        bookings = bookings.filter(shop_id__in=shop_ids)
    rows = bookings.values("shop_id", "scheduled_date", "scheduled_time").annotate(n=Count("pk"))
    return Counter(
        {(row["shop_id"], row["scheduled_date"], row["scheduled_time"]): row["n"] for row in rows}
    )


def _counted(shop_ids: list[int] | None) -> dict[SeatKey, int]:
    counters = SeatCounter.objects.all()
    if shop_ids is not None:
        counters = counters.filter(shop_id__in=shop_ids)
    return {
        (shop_id, day, start): booked
        for shop_id, day, start, booked in counters.values_list(
            "shop_id", "date", "start_time", "booked"
        )
    }


def _where(key: SeatKey, slugs: dict[int, str]) -> str:
    shop_id, day, start = key
    return f"{slugs.get(shop_id, shop_id)} {day:%Y-%m-%d} {start:%H:%M}"


def _slugs() -> dict[int, str]:
    return dict(Shop.objects.values_list("pk", "slug"))


def _recount(key: SeatKey) -> str:
    """Set one counter to the bookings holding a seat there, counted under the counter's lock."""
    shop_id, day, start = key
    with transaction.atomic():
        SeatCounter.objects.bulk_create(
            [SeatCounter(shop_id=shop_id, date=day, start_time=start)], ignore_conflicts=True
        )
        # A booking taking a seat here meanwhile waits for this lock (or we wait for its commit),
        # so the count and the counter cannot pass each other.
        counter = SeatCounter.objects.select_for_update().get(
            shop_id=shop_id, date=day, start_time=start
        )
        holders = (
            Booking.objects.holding_seats()
            .filter(shop_id=shop_id, scheduled_date=day, scheduled_time=start)
            .count()
        )
        before = counter.booked
        SeatCounter.objects.filter(pk=counter.pk).update(booked=holders)
    return f"set the counter from {before} to {holders}"


def seat_counter_findings(shop_ids: list[int] | None = None) -> list[Finding]:
    """Every start whose seat counter differs from the bookings that hold a seat there."""
    holders = _seat_holders(shop_ids)
    counted = _counted(shop_ids)
    slugs = _slugs()
    findings = []
    for key in sorted(set(holders) | set(counted)):
        expected, booked = holders.get(key, 0), counted.get(key, 0)
        if expected == booked:
            continue
        findings.append(
            Finding(
                check="seats",
                message=(
                    f"{_where(key, slugs)}: the counter says {booked} seat(s) taken, "
                    f"{expected} booking(s) hold one"
                ),
                repair=lambda key=key: _recount(key),
            )
        )
    return findings


def over_capacity_findings(shop_ids: list[int] | None = None) -> list[Finding]:
    """Starts with more seat-holding bookings than seats and none of them flagged overbooked.

    Not part of check_ledger: an owner who lowers the seats per start leaves starts over the new
    number legitimately. The concurrency tests use it to prove no race overbooks.
    """
    holders = _seat_holders(shop_ids)
    flagged = {
        (row["shop_id"], row["scheduled_date"], row["scheduled_time"])
        for row in Booking.objects.holding_seats()
        .filter(overbooked=True)
        .values("shop_id", "scheduled_date", "scheduled_time")
    }
    seats = dict(BookingSettings.objects.values_list("shop_id", "jobs_per_start_time"))
    # A shop with technicians counts them, not seats: double_booking_findings is its check.
    crews = set(Technician.objects.active().values_list("shop_id", flat=True))
    slugs = _slugs()
    return [
        Finding(
            check="capacity",
            message=(
                f"{_where(key, slugs)}: {count} bookings hold a seat of {seats[key[0]]}, "
                "none flagged overbooked"
            ),
        )
        for key, count in sorted(holders.items())
        if count > seats[key[0]] and key not in flagged and key[0] not in crews
    ]


# --- Technician time -------------------------------------------------------------------

TickKey = tuple[int, dt.date, dt.time]  # (technician id, date, five-minute tick)


def _assigned(shop_ids: list[int] | None):
    """Assigned bookings holding a seat, by technician and time."""
    bookings = Booking.objects.holding_seats().filter(technician__isnull=False)
    if shop_ids is not None:
        bookings = bookings.filter(shop_id__in=shop_ids)
    return bookings.select_related("shop__booking_settings", "technician").order_by(
        "technician_id", "scheduled_date", "scheduled_time"
    )


def _span(booking: Booking) -> set[TickKey]:
    return {
        (booking.technician_id, booking.scheduled_date, tick)
        for tick in ticks(booking.scheduled_time, booking.job_minutes)
    }


def _rows_by_booking(shop_ids: list[int] | None) -> dict[uuid.UUID, set[TickKey]]:
    rows = Occupancy.objects.all()
    if shop_ids is not None:
        rows = rows.filter(technician__shop_id__in=shop_ids)
    found: dict[uuid.UUID, set[TickKey]] = defaultdict(set)
    for booking_id, technician_id, day, tick in rows.values_list(
        "booking_id", "technician_id", "date", "time"
    ):
        found[booking_id].add((technician_id, day, tick))
    return found


def _rewrite(booking_id: uuid.UUID) -> str:
    """Make one booking's rows its span again, under its row lock; refused if that overlaps."""
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(no_key=True, of=("self",))
            .select_related("shop__booking_settings")
            .get(pk=booking_id)
        )
        held = Occupancy.objects.filter(booking=booking)
        # Every technician whose time changes, locked as the engine locks them (in id order).
        lock_technicians([booking.technician_id, *held.values_list("technician_id", flat=True)])
        held.delete()
        if not (booking.holds_seat and booking.technician_id):
            return "deleted the technician time of a booking that holds none"
        rows = [
            Occupancy(booking=booking, technician_id=t, date=day, time=tick)
            for t, day, tick in sorted(_span(booking))
        ]
        try:
            with transaction.atomic():
                Occupancy.objects.bulk_create(rows)
        except IntegrityError:
            # double_booking_findings reports the other job; a person must move one of them.
            return "left as it was: another job holds part of that time"
    return f"rewrote {len(rows)} five-minute rows"


def technician_time_findings(shop_ids: list[int] | None = None) -> list[Finding]:
    """Occupancy rows = the spans of assigned bookings that hold a seat, booking by booking."""
    held = _rows_by_booking(shop_ids)
    findings = []
    for booking in _assigned(shop_ids):
        expected, found = _span(booking), held.pop(booking.pk, set())
        if expected != found:
            findings.append(
                Finding(
                    check="technicians",
                    message=(
                        f"{booking.shop.slug} {_when(booking)} ({booking.technician}): "
                        f"{len(expected - found)} five-minute row(s) missing, "
                        f"{len(found - expected)} not its own"
                    ),
                    repair=lambda pk=booking.pk: _rewrite(pk),
                )
            )
    for booking_id, found in held.items():
        findings.append(
            Finding(
                check="technicians",
                message=(
                    f"booking {str(booking_id)[:8].upper()} holds {len(found)} five-minute "
                    "row(s) of technician time but no seat or no technician"
                ),
                repair=lambda pk=booking_id: _rewrite(pk),
            )
        )
    return findings


def double_booking_findings(shop_ids: list[int] | None = None) -> list[Finding]:
    """Two seat-holding jobs of one technician whose spans overlap: a person must move one."""
    findings = []
    last: Booking | None = None
    for booking in _assigned(shop_ids):
        same_day = last is not None and (last.technician_id, last.scheduled_date) == (
            booking.technician_id,
            booking.scheduled_date,
        )
        if same_day and _ends(last) > booking.scheduled_time:
            findings.append(
                Finding(
                    check="technicians",
                    message=(
                        f"{booking.shop.slug}: {booking.technician} is double-booked: "
                        f"{_when(last)}-{_ends(last):%H:%M} and {_when(booking)}"
                    ),
                )
            )
        if not same_day or _ends(booking) > _ends(last):
            last = booking
    return findings


def _ends(booking: Booking) -> dt.time:
    return job_end(booking.scheduled_time, booking.job_minutes).time()


def _when(booking: Booking) -> str:
    return f"{booking.scheduled_date:%Y-%m-%d} {booking.scheduled_time:%H:%M}"


# What `manage.py check_ledger` runs, in order.
CHECKS: list[Callable[..., list[Finding]]] = [
    seat_counter_findings,
    technician_time_findings,
    double_booking_findings,
]


def run_checks(shop_ids: list[int] | None = None) -> list[Finding]:
    return [finding for check in CHECKS for finding in check(shop_ids)]
