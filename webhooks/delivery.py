"""Sending webhook deliveries, in the task worker: claim, POST signed, log, retry, give up.

A delivery is claimed with a guarded UPDATE (pending and due -> sending), so a duplicated task
cannot send it twice at once. Each try re-checks the endpoint's address (webhooks/addresses.py)
and connects to the address it checked; waits at most REQUEST_TIMEOUT seconds for each network
step; follows no redirect; and counts any 2xx as delivered. Every try is logged
(WebhookAttempt). A failure is tried again after RETRY_DELAYS, about a day in all; an endpoint
whose deliveries have failed for ENDPOINT_GIVE_UP is switched off and the shop's owners told.
"""

from __future__ import annotations

import datetime as dt
import http.client
import logging
import socket
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import task

from tenants.models import Membership
from webhooks import addresses, signing
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger(__name__)
Status = WebhookDelivery.Status

REQUEST_TIMEOUT = 10
# Waits after the 1st, 2nd, ... failed try: 24.5 hours from the first to the last, so an
# endpoint that fails them all has failed for a day by its last and is switched off.
RETRY_DELAYS = [
    dt.timedelta(seconds=30),
    dt.timedelta(minutes=5),
    dt.timedelta(minutes=30),
    dt.timedelta(hours=2),
    dt.timedelta(hours=5),
    dt.timedelta(hours=8),
    dt.timedelta(hours=9),
]
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
ENDPOINT_GIVE_UP = dt.timedelta(hours=24)
EXCERPT_BYTES = 1024
USER_AGENT = "ApplianceOps-Webhooks/1.0"


def enqueue(ids: Iterable[int], run_after: dt.datetime | None = None) -> None:
    for delivery_id in ids:
        try:
            if run_after is None:
                deliver_webhook.enqueue(delivery_id)
            else:
                deliver_webhook.using(run_after=run_after).enqueue(delivery_id)
        except Exception:
            logger.exception("could not enqueue webhook delivery %s", delivery_id)


class _PinnedConnection:
    """Connect to the checked address, whatever the name resolves to by now; TLS still checks
    the certificate against the name (SNI and hostname check use `host`)."""

    def __init__(self, address: str, **kwargs):
        super().__init__(**kwargs)
        self._create_connection = lambda target, timeout, source=None: socket.create_connection(
            (address, target[1]), timeout, source
        )


class _HTTP(_PinnedConnection, http.client.HTTPConnection):
    pass


class _HTTPS(_PinnedConnection, http.client.HTTPSConnection):
    pass


def post(url: str, address: str, body: str, headers: dict[str, str]) -> tuple[int, str]:
    """POST `body` to `url` at `address`: (status code, the start of the answer)."""
    parts = urlsplit(url)
    connection_class = _HTTPS if parts.scheme == "https" else _HTTP
    connection = connection_class(
        address, host=parts.hostname, port=parts.port, timeout=REQUEST_TIMEOUT
    )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", path, body=body.encode(), headers=headers)
        response = connection.getresponse()
        excerpt = response.read(EXCERPT_BYTES).decode("utf-8", "replace")
        return response.status, " ".join(excerpt.split())[:200]
    finally:
        connection.close()


def _attempt(delivery: WebhookDelivery) -> WebhookAttempt:
    """One try, as the log records it."""
    endpoint, event = delivery.endpoint, delivery.event
    attempt = WebhookAttempt(delivery=delivery, at=timezone.now())
    started = time.monotonic()
    try:
        address = addresses.check_endpoint(endpoint.url)
        # The receiver compares this with its own clock: the real one, never a test's.
        stamp = int(time.time())
        headers = signing.headers(endpoint.secret, event.id, stamp, event.body)
        headers |= {"Content-Type": "application/json", "User-Agent": USER_AGENT}
        attempt.status_code, attempt.response_excerpt = post(
            endpoint.url, address, event.body, headers
        )
    except addresses.Refused as exc:
        attempt.error = f"Refused: {exc}"[:300]
    except (OSError, http.client.HTTPException) as exc:
        attempt.error = (f"{type(exc).__name__}: {exc}".rstrip(": "))[:300]
    except Exception as exc:
        # Whatever a strange receiver provokes, the try is logged and retried, never lost.
        logger.exception("webhook delivery %s failed unexpectedly", delivery.pk)
        attempt.error = (f"{type(exc).__name__}: {exc}".rstrip(": "))[:300]
    attempt.duration_ms = round((time.monotonic() - started) * 1000)
    attempt.save()
    return attempt


def deliver(delivery_id: int) -> str:
    """Send one delivery if it is due and nobody else is sending it; returns what happened."""
    now = timezone.now()
    claimed = WebhookDelivery.objects.filter(
        pk=delivery_id, status=Status.PENDING, next_attempt_at__lte=now
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "not due"
    delivery = WebhookDelivery.objects.select_related("event", "endpoint__shop").get(pk=delivery_id)
    if not delivery.endpoint.is_active:
        _finish(delivery, Status.FAILED, "The endpoint is switched off.")
        return "failed"
    attempt = _attempt(delivery)
    if attempt.succeeded:
        _finish(delivery, Status.DELIVERED, "", delivered_at=attempt.at)
        WebhookEndpoint.objects.filter(pk=delivery.endpoint_id).update(failing_since=None)
        return "delivered"
    return _failed(delivery, attempt)


def _finish(delivery: WebhookDelivery, status: str, error: str, **fields) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=status, last_error=error, next_attempt_at=None, **fields
    )


def _failed(delivery: WebhookDelivery, attempt: WebhookAttempt) -> str:
    error = attempt.error or f"HTTP {attempt.status_code}"
    endpoint_off = _note_endpoint_failure(delivery.endpoint, attempt.at)
    if endpoint_off or delivery.attempts >= MAX_ATTEMPTS:
        _finish(delivery, Status.FAILED, error)
        return "failed"
    retry_at = timezone.now() + RETRY_DELAYS[delivery.attempts - 1]
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.PENDING, last_error=error, next_attempt_at=retry_at
    )
    enqueue([delivery.pk], run_after=retry_at)
    return "retry"


def _note_endpoint_failure(endpoint: WebhookEndpoint, at: dt.datetime) -> bool:
    """Start the endpoint's failing clock, or switch it off when that ran 24 hours."""
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
        failing_since=at
    )
    since = WebhookEndpoint.objects.values_list("failing_since", flat=True).get(pk=endpoint.pk)
    if since is None or at - since < ENDPOINT_GIVE_UP:
        return False
    reason = f"Every delivery failed for 24 hours (since {since:%Y-%m-%d %H:%M} UTC)."
    # Only the worker whose UPDATE switched it off tells the owners: one e-mail, not one a try.
    switched = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).update(
        is_active=False, disabled_at=at, disabled_reason=reason
    )
    if switched:
        _tell_owners(endpoint, reason)
    return True


def _tell_owners(endpoint: WebhookEndpoint, reason: str) -> None:
    shop = endpoint.shop
    owners = Membership.objects.filter(shop=shop, role=Membership.Role.OWNER)
    recipients = sorted({m.user.email for m in owners.select_related("user") if m.user.email})
    recipients = recipients or ([shop.notification_email] if shop.notification_email else [])
    if not recipients:
        return
    body = (
        f"The webhook endpoint {endpoint.url} (for {endpoint.receives}) at {shop.name} has been "
        f"switched off.\n\n{reason}\n\nFix the receiver, switch the endpoint on again in "
        "Settings -> Webhook endpoints, and send the failed deliveries again from the log."
    )
    try:
        send_mail(f"Webhook endpoint switched off: {endpoint.url}", body, None, recipients)
    except Exception:
        # The endpoint is off either way; the admin shows it and why.
        logger.exception("could not e-mail the owners of %s about endpoint %s", shop, endpoint.pk)


@task()
def deliver_webhook(delivery_id: int) -> str:
    return deliver(delivery_id)


def send_again(deliveries: Iterable[WebhookDelivery]) -> int:
    """Send these deliveries' events again now, with a fresh set of tries; returns how many.

    The event keeps its id (webhook-id), so a receiver that already has it can tell."""
    ids = [d.pk for d in deliveries if d.status in (Status.FAILED, Status.DELIVERED)]
    WebhookDelivery.objects.filter(pk__in=ids, status__in=[Status.FAILED, Status.DELIVERED]).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    transaction.on_commit(lambda: enqueue(ids), robust=True)
    return len(ids)


def requeue_stalled(now: dt.datetime | None = None) -> int:
    """Enqueue again the deliveries whose task or worker was lost; returns how many."""
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=10)
    # A worker that died mid-send leaves "sending" (the receiver may have it once already).
    stuck = list(
        WebhookDelivery.objects.filter(status=Status.SENDING, claimed_at__lt=stale).values_list(
            "pk", flat=True
        )[:500]
    )
    lost = list(
        WebhookDelivery.objects.filter(
            status=Status.PENDING, next_attempt_at__lt=stale
        ).values_list("pk", flat=True)[:500]
    )
    WebhookDelivery.objects.filter(
        pk__in=stuck + lost, status__in=[Status.SENDING, Status.PENDING]
    ).update(status=Status.PENDING, next_attempt_at=now)
    enqueue(stuck + lost)
    return len(stuck + lost)
