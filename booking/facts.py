"""The shop a booking is for, with everything the booking needs to know about it, in one query.

A booking reads the shop, its online-booking settings, whether the requested day is one of
its blackout dates, whether it has active technicians (which way booking.capacity counts
its room) and whether any webhook endpoint listens (else the booking writes no event). Read
separately that is five round trips on every booking; here it is one SELECT with a join and
three EXISTS subqueries, read fresh each time. Nothing is cached between
requests, so an owner's change (a new blackout date, other hours, booking switched off) holds
for the very next booking on every worker: there is no copy that could be stale.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from booking import slots
from technicians.models import Technician
from tenants.models import BlackoutDate, Shop
from webhooks.models import WebhookEndpoint


@dataclass(frozen=True)
class BookingFacts:
    """What the one query found out beyond the shop and its settings, for one day."""

    day: dt.date
    blackout: bool
    has_technicians: bool
    has_webhooks: bool

    def schedule(self, booking_settings) -> slots.Schedule:
        """The shop's schedule as far as `day` is concerned: its blackout, if it is one."""
        return slots.Schedule.of(booking_settings, blackouts=[self.day] if self.blackout else [])


def shop_for_booking(slug: str, day: dt.date) -> Shop | None:
    """The active shop with this slug and its settings, `booking_facts` set for `day`."""
    shop = (
        Shop.objects.public()
        .select_related("booking_settings")
        .filter(slug=slug.strip().lower())
        .annotate(
            day_is_blackout=Exists(
                BlackoutDate.objects.filter(settings__shop=OuterRef("pk"), date=day)
            ),
            has_technicians=Exists(Technician.objects.active().filter(shop=OuterRef("pk"))),
            has_webhooks=Exists(
                WebhookEndpoint.objects.filter(shop=OuterRef("pk"), is_active=True)
            ),
        )
        .first()
    )
    if shop is not None:
        shop.booking_facts = BookingFacts(
            day, shop.day_is_blackout, shop.has_technicians, shop.has_webhooks
        )
    return shop


def known_for(shop: Shop, day: dt.date) -> BookingFacts | None:
    """The facts the shop was read with, when they are about `day`; else None (read them)."""
    known = getattr(shop, "booking_facts", None)
    return known if known is not None and known.day == day else None
