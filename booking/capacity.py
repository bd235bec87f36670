"""What room a shop has for a job, and taking it: the one place capacity is decided.

A shop counts its room one of two ways:

- **Seats** (a shop with no active technician, as every shop did before technicians):
  `jobs_per_start_time` jobs may start at each start time. A SeatCounter row per start counts
  the seats taken, and a seat is taken with one guarded UPDATE (booked < capacity): the check
  and the write are one statement, so no interleaving of workers can overbook.
- **Technicians** (a shop with at least one active technician): a start has room for a job when
  an active technician who services the appliance is on shift from the start through the job's
  length, has no time off then, and has no other job overlapping that span. The job is given
  to one of them as it is booked: the one with the fewest jobs that day, ties by name. The
  database forbids overlap: an assigned job writes an Occupancy row for each five minutes of its
  span under a unique (technician, date, time) constraint, in the booking's transaction. A try
  that hits the constraint rolls back its savepoint and tries the next technician, then the
  next start. The read that finds the free technicians is only a guide to whom to try first;
  the constraint decides, so it can be made before the write transaction, keeping that short.

Locks come in one order, so no two writers wait for each other (a PostgreSQL deadlock): the
booking (FOR NO KEY UPDATE: foreign-key checks pass), counters created, the technicians whose
time changes (by id, each try in a savepoint), then the counters that change (by start).

`room()` is the one answer to "what room is there": availability pages, booking_create and
booking_reschedule all ask it, so a page offers exactly what the engine would take. Seat
counters are kept in both modes (uncapped with technicians), so the ledger reads the same for
every shop and a shop can take on its first technician, or let its last go, without repair.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Prefetch

from booking import facts, refusals
from booking.errors import TechnicianUnavailable
from booking.models import Booking, Occupancy, SeatCounter
from booking.seats import (
    count_seat,
    ensure_counters,
    lock_counters,
    release_seat,
    take_first_seat,
)
from technicians.models import Technician, TimeOff
from tenants.models import Shop

TICK = dt.timedelta(minutes=Occupancy.TICK_MINUTES)
_ANY_DAY = dt.date(2000, 1, 1)


class FirstTryMissed(Exception):
    """The first start's one guarded UPDATE took no seat: roll back and take the long way."""


@dataclass(frozen=True)
class Need:
    """What a job asks of a start: someone who services `appliance`, for `minutes`.

    `appliance` None means not known yet (the booking page before the customer picks one):
    any technician counts, for the shop's default job length.
    """

    appliance: str | None
    minutes: int


@dataclass(frozen=True)
class Placement:
    """Where a job went: its start, its technician (None: unassigned), beyond capacity?"""

    start: dt.time
    technician: Technician | None = None
    overbooked: bool = False


def job_end(start: dt.time, minutes: int) -> dt.datetime:
    """When a job from `start` ends, as a naive datetime on a reference day."""
    return dt.datetime.combine(_ANY_DAY, start) + dt.timedelta(minutes=minutes)


def ticks(start: dt.time, minutes: int) -> list[dt.time]:
    """The five-minute ticks (from midnight) a job touches: its Occupancy rows.

    A start between ticks touches the tick it falls in, so two jobs that overlap by a minute
    still share a tick; jobs on five-minute times and lengths share one only when they overlap.
    """
    begins = dt.datetime.combine(_ANY_DAY, start).replace(second=0, microsecond=0)
    tick = begins - dt.timedelta(minutes=begins.minute % Occupancy.TICK_MINUTES)
    ends = job_end(start, minutes)
    found = []
    while tick < ends:
        found.append(tick.time())
        tick += TICK
    return found


def room(
    shop: Shop,
    first: dt.date,
    last: dt.date,
    *,
    need: Need | None = None,
    ignoring: Booking | None = None,
) -> SeatRoom | CrewRoom:
    """The shop's room for a job like `need` on the days `first` to `last`.

    One query tells the two modes apart (the active technicians); technicians add their
    shifts, their time off and the jobs of the range (three more). `ignoring` leaves one
    booking's own job out, for moving it. `need` defaults to an appliance not known yet.
    """
    need = need or Need(None, shop.booking_settings.default_job_minutes)
    known = getattr(shop, "booking_facts", None)
    if known is not None and not known.has_technicians:
        return SeatRoom(shop, first, last, need)  # read with the shop (booking.facts)
    technicians = list(
        Technician.objects.active()
        .filter(shop=shop)
        .prefetch_related(
            "shifts",
            Prefetch(
                "time_off",
                queryset=TimeOff.objects.filter(first_day__lte=last, last_day__gte=first),
            ),
        )
    )
    if not technicians:
        return SeatRoom(shop, first, last, need)
    jobs = Booking.objects.holding_seats().filter(
        shop=shop, technician__isnull=False, scheduled_date__range=(first, last)
    )
    if ignoring is not None:
        jobs = jobs.exclude(pk=ignoring.pk)
    rows = jobs.values_list("technician_id", "scheduled_date", "scheduled_time", "duration_minutes")
    return CrewRoom(shop, need, technicians, rows)


class SeatRoom:
    """Room counted in seats: jobs_per_start_time at each start."""

    full_reason = refusals.START_FULL

    def __init__(self, shop: Shop, first: dt.date, last: dt.date, need: Need):
        self.shop, self.first, self.last, self.need = shop, first, last, need
        self.capacity = shop.booking_settings.jobs_per_start_time
        self._booked: dict[tuple[dt.date, dt.time], int] | None = None

    def seats_left(self, day: dt.date, start: dt.time) -> int:
        if self._booked is None:
            # Read once, when a page first asks; booking needs no read: its UPDATE checks.
            counters = SeatCounter.objects.filter(
                shop=self.shop, date__gte=self.first, date__lte=self.last
            )
            self._booked = {
                (date, time): booked
                for date, time, booked in counters.values_list("date", "start_time", "booked")
            }
        return max(self.capacity - self._booked.get((day, start), 0), 0)

    def free_technicians(self, day: dt.date, start: dt.time) -> list[Technician]:
        return []

    def take(
        self,
        day: dt.date,
        order: list[dt.time],
        *,
        booking_id: uuid.UUID,
        overbook: bool = False,
        technician: Technician | None = None,
        prefer: int | None = None,
        leaving: Booking | None = None,
        first_try: bool = False,
        unassigned: bool = False,  # technicians only: a seat is nobody's here anyway
    ) -> Placement | None:
        """A seat at the first start in `order` with room; with `overbook`, the first start,
        full or not. None when every start is full. `leaving` is the booking being moved (the
        caller gives its old seat back after). Inside the caller's transaction.

        `first_try`: one guarded UPDATE of the first start in `order` with room and nothing
        else, the whole cost of most bookings (booking.seats.take_first_seat); FirstTryMissed
        when it takes no seat (every start full, the counters not made yet, or the start it
        chose filled meanwhile). The caller then rolls back, which lets go of any lock the
        miss holds (see below), and calls again without it."""
        if first_try and not (overbook or leaving or technician):
            # From a worker's copy of the shop's facts, the seat is taken only while the shop
            # still has the copy's facts_version: the check costs no statement of its own.
            version = facts.copy_version(self.shop)
            taken = take_first_seat(self.shop, day, order, self.capacity, facts_version=version)
            if taken is not None:
                return Placement(taken)
            raise FirstTryMissed
        facts.confirm(self.shop)
        counters = SeatCounter.objects.filter(shop=self.shop, date=day)
        if technician is not None:
            _check_shop(technician, self.shop)
            # No active technician here, so a chosen one has been switched off.
            raise _unavailable(refusals.TECHNICIAN_INACTIVE, technician, day, order[0], self.need)
        if overbook:
            order = order[:1]  # the exact start asked for, full or not
        ensure_counters(self.shop, day, order)
        if leaving is not None:
            # Both ends of a move, in order, before either is touched (see lock_counters).
            leaves = (leaving.scheduled_date, leaving.scheduled_time)
            lock_counters(self.shop, [leaves, *((day, start) for start in order)])
            # Technicians switched off since it was assigned: the job leaves them too.
            free_technician(leaving)
        for start in order:
            # PostgreSQL keeps the row lock of a guarded UPDATE that waited for another writer
            # and then found the start full. Held while this request tries its next choice,
            # such locks taken in each request's own order of preference deadlock two
            # requests; rolling back to a savepoint lets go of a start that had no seat.
            tried = transaction.savepoint()
            taken = counters.filter(start_time=start, booked__lt=self.capacity).update(
                booked=F("booked") + 1
            )
            if taken:
                transaction.savepoint_commit(tried)
                return Placement(start)
            transaction.savepoint_rollback(tried)
        if overbook and order:
            count_seat(self.shop, day, order[0])
            return Placement(order[0], overbooked=True)
        return None

    def place_on(self, technician: Technician, day, start, **kwargs) -> Placement:
        _check_shop(technician, self.shop)
        raise _unavailable(refusals.TECHNICIAN_INACTIVE, technician, day, start, self.need)


class CrewRoom:
    """Room counted in technicians: who is on shift, skilled, not off, and free."""

    full_reason = refusals.NO_TECHNICIAN_FREE

    def __init__(self, shop: Shop, need: Need, technicians: list[Technician], jobs):
        self.shop, self.need = shop, need
        self.technicians = {technician.pk: technician for technician in technicians}
        default = shop.booking_settings.job_length
        self._busy: dict[tuple[int, dt.date], set[dt.time]] = {}
        self._jobs: Counter[tuple[int, dt.date]] = Counter()
        for technician_id, day, start, minutes in jobs:
            taken = ticks(start, minutes or default(None))
            self._busy.setdefault((technician_id, day), set()).update(taken)
            self._jobs[technician_id, day] += 1

    def seats_left(self, day: dt.date, start: dt.time) -> int:
        return len(self.free_technicians(day, start))

    def free_technicians(self, day: dt.date, start: dt.time) -> list[Technician]:
        """Who could take the job at `start`, the fairest first: fewest jobs that day, then
        by name."""
        free = [t for t in self.technicians.values() if not self.why_not(t, day, start)]
        return sorted(free, key=lambda t: (self._jobs[t.pk, day], t.name.lower(), t.pk))

    def why_not(self, technician: Technician, day: dt.date, start: dt.time) -> str:
        """Why `technician` cannot take the job at `start` on `day` (a refusal reason), or ""."""
        if technician.pk not in self.technicians:
            return refusals.TECHNICIAN_INACTIVE
        if not technician.services(self.need.appliance):
            return refusals.TECHNICIAN_NO_SKILL
        if job_end(start, self.need.minutes).date() != _ANY_DAY:
            return refusals.PAST_MIDNIGHT
        ends = job_end(start, self.need.minutes).time()
        shift = technician.shift_on(day)
        if shift is None or not shift.covers(start, ends):
            return refusals.TECHNICIAN_OFF_SHIFT
        begins_at = dt.datetime.combine(day, start)
        if technician.off_during(begins_at, begins_at + dt.timedelta(minutes=self.need.minutes)):
            return refusals.TECHNICIAN_TIME_OFF
        if self._busy.get((technician.pk, day), set()).intersection(
            ticks(start, self.need.minutes)
        ):
            return refusals.TECHNICIAN_BUSY
        return ""

    def take(
        self,
        day: dt.date,
        order: list[dt.time],
        *,
        booking_id: uuid.UUID,
        overbook: bool = False,
        technician: Technician | None = None,
        prefer: int | None = None,
        leaving: Booking | None = None,
        first_try: bool = False,  # seats only: technicians are tried one by one anyway
        unassigned: bool = False,
    ) -> Placement | None:
        """The first start in `order` with a free technician, on the fairest of them (`prefer`,
        a technician id, first when free). A chosen `technician` is tried at the first start
        only, and refused with the reason. With `overbook` only the first start is tried and,
        when nobody can take it, booked unassigned (or on the chosen technician when they have
        no other job then). `unassigned`: the first start, on nobody. None when no start has
        room. `leaving` is the booking being moved: its technician's time is given back with
        each try. Inside the caller's transaction."""
        facts.confirm(self.shop)
        if overbook or technician is not None or unassigned:
            order = order[:1]  # the exact start asked for
        ensure_counters(self.shop, day, order)
        if unassigned:
            # A job on nobody takes no one's time: an open start is room enough, its seat
            # counted uncapped as every seat is with technicians (the dispatcher places it later).
            return self._on_nobody(day, order[0], leaving, overbooked=False)
        if technician is not None:
            return self.place_on(
                technician, day, order[0], booking_id=booking_id, force=overbook, leaving=leaving
            )
        for start in order:
            free = self.free_technicians(day, start)
            free.sort(key=lambda t: t.pk != prefer)
            for candidate in free:
                if occupy(candidate, booking_id, day, start, self.need.minutes, leaving=leaving):
                    count_seat(self.shop, day, start, leaving=leaving)
                    return Placement(start, candidate)
        if overbook and order:
            return self._on_nobody(day, order[0], leaving, overbooked=True)
        return None

    def _on_nobody(self, day, start, leaving: Booking | None, *, overbooked: bool) -> Placement:
        """The job at `start` on no technician: `leaving`'s time given back, the seat counted."""
        if leaving is not None:
            free_technician(leaving)
        count_seat(self.shop, day, start, leaving=leaving)
        return Placement(start, overbooked=overbooked)

    def place_on(
        self,
        technician: Technician,
        day: dt.date,
        start: dt.time,
        *,
        booking_id: uuid.UUID,
        force: bool = False,
        count: bool = True,
        leaving: Booking | None = None,
    ) -> Placement:
        """The job on `technician` at `start`, or TechnicianUnavailable saying why not.

        `force` (an owner's overbook) waives shift, skills and time off, never another job:
        nobody is in two places at once. `count` takes the start's seat as well; `leaving` as
        for take.
        """
        _check_shop(technician, self.shop)
        technician = self.technicians.get(technician.pk, technician)
        reason = self.why_not(technician, day, start)
        waivable = (
            refusals.TECHNICIAN_NO_SKILL,
            refusals.TECHNICIAN_OFF_SHIFT,
            refusals.TECHNICIAN_TIME_OFF,
        )
        if reason and not (force and reason in waivable):
            raise _unavailable(reason, technician, day, start, self.need)
        if not occupy(technician, booking_id, day, start, self.need.minutes, leaving=leaving):
            raise _unavailable(refusals.TECHNICIAN_BUSY, technician, day, start, self.need)
        if count:
            count_seat(self.shop, day, start, leaving=leaving)
        return Placement(start, technician, overbooked=bool(reason))


def _check_shop(technician: Technician, shop: Shop) -> None:
    if technician.shop_id != shop.pk:
        # The doors offer only the shop's own; this is the backstop, not a refusal to word.
        raise ValueError(f"{technician} does not work for {shop}")


def _unavailable(reason: str, technician: Technician, day, start, need: Need):
    return TechnicianUnavailable(
        reason,
        field="technician",
        technician=technician.name,
        day=day,
        start=start,
        end=job_end(start, need.minutes).time(),
        minutes=need.minutes,
        appliance=need.appliance or "this appliance",
    )


def occupy(
    technician: Technician,
    booking_id: uuid.UUID,
    day: dt.date,
    start: dt.time,
    minutes: int,
    *,
    leaving: Booking | None = None,
) -> bool:
    """Write a job's Occupancy rows in a savepoint; False when one would overlap another job.

    The technician's row is locked first (with the technician `leaving` gives back, in id
    order), so every write of one technician's time waits its turn: two bookings never wait
    for each other's rows, which on PostgreSQL would be a deadlock. A failed try rolls back to
    its savepoint, letting go of its locks and giving `leaving` its rows back. The booking row
    may not exist yet: its id is made before it is inserted, and the foreign key is checked at
    commit (Django declares it deferrable), so the rows can come first.
    """
    rows = [
        Occupancy(technician=technician, booking_id=booking_id, date=day, time=tick)
        for tick in ticks(start, minutes)
    ]
    try:
        with transaction.atomic():
            lock_technicians([technician.pk, leaving.technician_id if leaving else None])
            if leaving is not None:
                Occupancy.objects.filter(booking_id=leaving.pk).delete()
            Occupancy.objects.bulk_create(rows)
    except IntegrityError:
        return False
    return True


def lock_technicians(ids) -> None:
    """Lock technicians' rows, in id order, for writing their time.

    FOR NO KEY UPDATE: the occupancy rows' foreign keys only ask for KEY SHARE, which this
    does not block.
    """
    wanted = sorted({pk for pk in ids if pk is not None})
    list(
        Technician.objects.select_for_update(no_key=True)
        .filter(pk__in=wanted)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def release(booking: Booking) -> None:
    """Give back what a seat-holding booking holds: its technician's time and its seat."""
    free_technician(booking)
    release_seat(booking.shop_id, booking.scheduled_date, booking.scheduled_time)


def free_technician(booking: Booking) -> None:
    """Delete a booking's Occupancy rows: its technician is free again at its time."""
    if booking.technician_id is None:
        return
    lock_technicians([booking.technician_id])
    Occupancy.objects.filter(booking_id=booking.pk).delete()
