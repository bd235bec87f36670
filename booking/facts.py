"""The shop a booking is for, with everything the booking needs to know about it.

A booking reads the shop, its online-booking settings, whether the requested day is one of
its blackout dates, whether it has active technicians (which way booking.capacity counts
its room) and whether any webhook endpoint listens (else the booking writes no event).

Each worker process keeps a copy of those facts per shop, labelled with the shop's
`facts_version`: a number the database sets anew with every change to any of them (the
receivers at the end of this module, and Shop.save). A booking made from a copy does not read
the shop at all; its one guarded seat UPDATE also asks that the shop still has the copy's
number (booking.seats.take_first_seat), so the check and the booking are one statement. When
the number has changed (an owner saved a blackout date, other hours, switched booking off; on
any worker) the UPDATE takes no seat, the transaction rolls back, and the booking is made
again from facts read fresh (`retried_when_stale`), which become the new copy. Any other way
of taking room (the long way after a miss, an overbook, a shop with technicians) first checks
the copy against the row with one small SELECT (`confirm`), and a refusal read off a copy is
checked the same way before it is given. So a change holds for every booking that takes its
room after the change's commit, on every worker, and no booking leaves on a stale copy: the
same promise as reading the shop on every booking, without the read.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import functools
from dataclasses import dataclass

from django.db.models import Exists, OuterRef
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from booking import slots
from booking.errors import BookingError, ShopNotFound
from technicians.models import Technician
from tenants.models import BlackoutDate, BookingSettings, Shop, new_facts_version
from webhooks.models import WebhookEndpoint

# Copies kept per process; past this many shops they are all dropped and read again.
MAX_COPIES = 1000
# Blackout dates kept in a copy start this long before the server's today: a booking for a
# day before that (refused as past anyway) reads fresh.
KEPT_PAST = dt.timedelta(days=2)


class Stale(Exception):
    """The process's copy of the shop's facts is older than the database's: read them again."""


@dataclass(frozen=True)
class BookingFacts:
    """What booking needs beyond the shop and its settings, for one day. `version` is the
    shop's facts_version of the copy they came from; None when read fresh for this booking."""

    day: dt.date
    blackout: bool
    has_technicians: bool
    has_webhooks: bool
    version: int | None = None

    def schedule(self, booking_settings) -> slots.Schedule:
        """The shop's schedule as far as `day` is concerned: its blackout, if it is one."""
        return slots.Schedule.of(booking_settings, blackouts=[self.day] if self.blackout else [])


@dataclass(frozen=True)
class _Copy:
    shop: Shop  # with booking_settings; never handed out itself (see facts)
    blackouts: frozenset[dt.date]
    since: dt.date
    has_technicians: bool
    has_webhooks: bool

    def facts(self, day: dt.date, *, version: int | None) -> Shop:
        """A shop of its own for one booking (the copy is shared by the worker's threads)."""
        shop = copy.copy(self.shop)
        shop.booking_facts = BookingFacts(
            day, day in self.blackouts, self.has_technicians, self.has_webhooks, version
        )
        return shop


_copies: dict[str, _Copy] = {}


def shop_for_booking(slug: str, day: dt.date) -> Shop | None:
    """The active shop with this slug and its settings, `booking_facts` set for `day`: from
    this process's copy when it has one, else read (and kept)."""
    slug = slug.strip().lower()
    kept = _copies.get(slug)
    if kept is not None and day >= kept.since:
        return kept.facts(day, version=kept.shop.facts_version)
    return _read(day, slug=slug)


def _read(day: dt.date, **lookup) -> Shop | None:
    """The shop read fresh (two queries: the shop with its flags, its blackout dates, on the
    first booking of a shop in this process and after each change), kept as this process's
    copy; its facts for `day` are fresh, so they carry no version."""
    shop = (
        Shop.objects.public()
        .select_related("booking_settings")
        .filter(**lookup)
        .annotate(
            has_technicians=Exists(Technician.objects.active().filter(shop=OuterRef("pk"))),
            has_webhooks=Exists(
                WebhookEndpoint.objects.filter(shop=OuterRef("pk"), is_active=True)
            ),
        )
        .first()
    )
    if shop is None:
        return None
    since = dt.date.today() - KEPT_PAST
    dates = BlackoutDate.objects.filter(settings__shop=shop, date__gte=min(since, day))
    kept = _Copy(
        shop,
        frozenset(dates.values_list("date", flat=True)),
        since,
        shop.has_technicians,
        shop.has_webhooks,
    )
    if len(_copies) >= MAX_COPIES:
        _copies.clear()
    _copies[shop.slug] = kept
    return kept.facts(day, version=None)


def forget_copies() -> None:
    """Drop this process's copies (a test's new shops may reuse ids and slugs)."""
    _copies.clear()


def known_for(shop: Shop, day: dt.date) -> BookingFacts | None:
    """The facts the shop was read with, when they are about `day`; else None (read them)."""
    known = getattr(shop, "booking_facts", None)
    return known if known is not None and known.day == day else None


def copy_version(shop: Shop) -> int | None:
    """The facts_version of the copy `shop`'s facts come from; None when they were read fresh.
    A booking from a copy takes its seat only while the shop row still has that number
    (booking.seats.take_first_seat): the check costs no statement of its own."""
    known = getattr(shop, "booking_facts", None)
    return None if known is None else known.version


def _is_current(shop: Shop) -> bool:
    """Whether `shop`'s facts were read fresh, or come from a copy the row still matches."""
    version = copy_version(shop)
    return version is None or Shop.objects.filter(pk=shop.pk, facts_version=version).exists()


def confirm(shop: Shop) -> None:
    """Make `shop`'s facts as good as read fresh, before room is taken any way but the guarded
    first UPDATE: those from a copy are checked against the row (one small query); Stale when
    it no longer matches. Nothing to do for facts read fresh."""
    if copy_version(shop) is None:
        return
    if not _is_current(shop):
        raise Stale
    shop.booking_facts = dataclasses.replace(shop.booking_facts, version=None)


def retried_when_stale(create):
    """booking_create, made once more from facts read fresh when the copy it was given
    proved older than the database's (everything the first try wrote was rolled back), or
    when it refused and the copy is no longer current."""

    @functools.wraps(create)
    def create_from_current_facts(*, shop: Shop, slot_request: slots.SlotRequest, **kwargs):
        try:
            return create(shop=shop, slot_request=slot_request, **kwargs)
        except Stale:
            pass
        except BookingError:
            # A refusal read off a copy stands only while the copy is current: else a shop
            # that widened its area or hours would go on refusing from the old one.
            if _is_current(shop):
                raise
        _copies.pop(shop.slug, None)
        # The same shop or none: a partner's key was checked against this one, and another
        # shop may have taken the slug since.
        fresh = _read(slot_request.date, slug=shop.slug, pk=shop.pk)
        if fresh is None:  # switched off (or its slug changed) since the copy was made
            raise ShopNotFound(shop.slug)
        try:
            return create(shop=fresh, slot_request=slot_request, **kwargs)
        except BookingError as refused:
            refused.shop = fresh  # the door words it (the next open date) from this shop
            raise

    return create_from_current_facts


def moved_on(**shop) -> None:
    """A new facts_version for the shop found by `shop`: every worker's copy of its facts is
    stale from the commit of the caller's transaction."""
    Shop.objects.filter(**shop).update(facts_version=new_facts_version())


# What a copy holds besides the shop row (Shop.save sets its own): the settings,
# blackout dates, technicians (a copy is only for a shop with none active) and endpoints. An
# endpoint the delivery worker switches off (an UPDATE) leaves copies saying "has webhooks"
# until the next change: those bookings look for endpoints and find none, nothing worse.
@receiver([post_save, post_delete], sender=BookingSettings)
@receiver([post_save, post_delete], sender=Technician)
@receiver([post_save, post_delete], sender=WebhookEndpoint)
def _shop_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        moved_on(pk=instance.shop_id)


@receiver([post_save, post_delete], sender=BlackoutDate)
def _blackouts_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        moved_on(booking_settings=instance.settings_id)
