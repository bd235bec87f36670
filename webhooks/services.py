"""Webhook endpoints: the one write path for the admin, the portal and the command."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from schedulerAccounts.models import SchedulerAccount
from tenants.models import Shop
from webhooks import addresses, signing
from webhooks.models import ALL_EVENTS, WebhookEndpoint


def check_endpoint_url(url: str) -> str:
    """The URL, stripped, if a webhook may be sent there; else ValidationError saying why."""
    try:
        addresses.check_endpoint(url)
    except addresses.Refused as exc:
        raise ValidationError(str(exc), code="refused_url") from None
    return url.strip()


def _check_events(events: list[str]) -> list[str]:
    unknown = set(events) - set(ALL_EVENTS)
    if unknown or not events:
        raise ValidationError(f"Choose events from: {', '.join(ALL_EVENTS)}.", code="events")
    return [name for name in ALL_EVENTS if name in events]


# Atomic: the endpoint and the shop's new facts_version (booking.facts) commit together, so no
# worker books from a copy that says "no endpoint" after the endpoint is there.
@transaction.atomic
def endpoint_create(
    *,
    shop: Shop,
    url: str,
    account: SchedulerAccount | None = None,
    events: list[str] | None = None,
    is_active: bool = True,
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (show it once: say so where it is shown)."""
    if account is not None and account.shop_id != shop.pk:
        raise ValidationError("That scheduler account is another shop's.", code="account")
    secret = signing.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        shop=shop,
        account=account,
        url=check_endpoint_url(url),
        events=_check_events(ALL_EVENTS if events is None else events),
        is_active=is_active,
        secret=secret,
        secret_created_at=timezone.now(),
    )
    return endpoint, secret


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, events: list[str], is_active: bool
) -> WebhookEndpoint:
    """Change where it goes and what it hears; switching it on restarts its failure clock."""
    endpoint.url = check_endpoint_url(url)
    endpoint.events = _check_events(events)
    # The stored flag, not the instance's: a form may have set it already.
    was_active = WebhookEndpoint.objects.filter(pk=endpoint.pk, is_active=True).exists()
    if is_active and not was_active:
        endpoint.failing_since = None
        endpoint.disabled_at = None
        endpoint.disabled_reason = ""
    endpoint.is_active = is_active
    endpoint.save()
    return endpoint


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> str:
    """A new signing secret; deliveries from now on are signed with it only."""
    secret = signing.new_secret()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(
        secret=secret, secret_created_at=timezone.now()
    )
    endpoint.secret = secret
    return secret


def endpoint_delete(*, endpoint: WebhookEndpoint) -> None:
    with transaction.atomic():
        endpoint.delete()
