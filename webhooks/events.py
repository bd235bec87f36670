"""Webhook events, written by the booking services inside the booking's own transaction.

The lifecycle follows booking/notifications.py (the e-mail outbox):

1. A booking service (booking/services.py) calls `record` as it changes a booking, inside its
   transaction. That writes one WebhookEvent (the exact JSON body) and one WebhookDelivery per
   active endpoint that wants the event: the shop's shop-wide endpoints and, for a booking a
   scheduler account made, that account's. A rolled-back change leaves no row and sends nothing.
2. On commit the deliveries are enqueued as tasks (webhooks/delivery.py); the request never
   waits for a partner's server.
3. A worker claims each with a guarded UPDATE, POSTs it signed, logs the attempt, and retries
   with back-off for about a day; an endpoint failing for 24 hours is switched off.

Every door (API, portal, booking page, self-service page, admin) changes bookings through the
services, so every door's change is told, once.
"""

from __future__ import annotations

import json
import uuid

from django.db.models import F, Q
from django.utils import timezone

from booking import outbox
from booking.models import Booking
from booking.partner_data import booking_for_partner
from webhooks import delivery
from webhooks.models import EventSequence, WebhookDelivery, WebhookEndpoint, WebhookEvent

# Bookkeeping that moves with every change and says nothing to a receiver on its own.
NOT_A_CHANGE = {"updated_at"}


def _endpoints_for(booking: Booking):
    """Active endpoints that hear of this booking: shop-wide ones and its account's own. A
    partner's test booking is the partner's alone: the shop's own systems never hear of it, as
    its calendar and e-mails never do."""
    whose = Q(pk__in=[]) if booking.is_test else Q(account__isnull=True)
    if booking.account_id:
        # A switched-off partner account hears nothing, as its key and portal are shut too.
        whose |= Q(account_id=booking.account_id, account__is_active=True)
    return WebhookEndpoint.objects.filter(whose, shop_id=booking.shop_id, is_active=True)


def snapshot(booking: Booking) -> dict | None:
    """The booking as stored (receivers' view) before a change; None when no endpoint listens.

    Read from the row, not the instance: the admin's form has set the new values on it."""
    if not _endpoints_for(booking).exists():
        return None
    stored = Booking.objects.select_related("shop", "technician").get(pk=booking.pk)
    return booking_for_partner(stored)


def _next_sequence(booking: Booking) -> int:
    """The booking's next event number. The UPDATE's row lock orders concurrent changes."""
    counter, created = EventSequence.objects.get_or_create(booking_id=booking.pk)
    if created:
        return counter.last
    EventSequence.objects.filter(pk=booking.pk).update(last=F("last") + 1)
    return EventSequence.objects.values_list("last", flat=True).get(pk=booking.pk)


def event_body(event_id: str, event_type: str, sequence: int, booking: Booking, previous) -> str:
    payload = {
        "id": event_id,
        "type": event_type,
        "created_at": timezone.now().isoformat().replace("+00:00", "Z"),
        "sequence": sequence,
        # A test booking (made with a test key) says so, whoever merges first.
        "test": booking.is_test,
        "data": {"booking": booking_for_partner(booking), "previous": previous},
    }
    return json.dumps(payload, separators=(",", ":"))


def record(event_type: str, booking: Booking, *, before: Booking | dict | None = None) -> None:
    """Write `event_type` of `booking` (as it is now) to the outbox of every endpoint that
    wants it. `before` (the booking or its snapshot before the change) gives `previous`, the
    fields that changed; a change a receiver cannot see (a dispatcher's note) sends nothing."""
    endpoints = [e for e in _endpoints_for(booking) if event_type in (e.events or [])]
    if not endpoints:
        return
    previous = {}
    if before is not None:
        old = before if isinstance(before, dict) else booking_for_partner(before)
        new = booking_for_partner(booking)
        previous = {k: v for k, v in old.items() if new.get(k) != v and k not in NOT_A_CHANGE}
        if not previous:
            return
    event_id = f"evt_{uuid.uuid4().hex}"
    sequence = _next_sequence(booking)
    body = event_body(event_id, event_type, sequence, booking, previous)
    event = WebhookEvent.objects.create(
        id=event_id, booking=booking, type=event_type, sequence=sequence, body=body
    )
    now = timezone.now()
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, endpoint=endpoint, next_attempt_at=now)
        for endpoint in endpoints
    )
    # Their tasks are rows of this same transaction (booking/outbox.py): a rolled-back change
    # leaves none, a committed one always has them, and no worker sees them before the commit.
    outbox.insert([outbox.task_row(delivery.deliver_webhook, row.pk) for row in rows])
