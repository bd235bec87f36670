"""Per-client limits on the booking doors, counted in the shared cache by django-ratelimit.

Two limits: every request counts against the request limit (valid or not), and only bookings
that were created count against the booking limit. A scheduler account (request.auth, set by its
API-key authentication) has its own limits and bucket; everyone else is counted per client IP
(IPv6 per /64), as decided by applianceops.lib.client_ip.

When the cache is unreachable the limits fail open with a logged error: a shop would rather take
a booking than show an error page.
"""

from __future__ import annotations

import logging
import math
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches
from django_ratelimit import core as ratelimit

from applianceops.lib.client_ip import client_ip_bucket

logger = logging.getLogger(__name__)

HOUR = 3600
# The 429 body's "hint": where a partner that needs more goes (README and /api/docs quote it).
PARTNER_KEY_HINT = (
    "Need higher limits? Ask the shop owner for a private partner key "
    "(Settings -> Scheduler Accounts) and send it as Authorization: Bearer <key>."
)
REQUESTS = "booking-requests"
BOOKINGS = "booking-successes"


@dataclass(frozen=True)
class Usage:
    limit: int
    count: int
    reset_seconds: int

    @property
    def remaining(self) -> int:
        return max(self.limit - self.count, 0)

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    def headers(self) -> dict[str, str]:
        """The quota headers every API response carries (README: Rate limits)."""
        return {
            "RateLimit-Limit": str(self.limit),
            "RateLimit-Remaining": str(self.remaining),
            "RateLimit-Reset": str(self.reset_seconds),
        }


class RateLimited(Exception):
    def __init__(self, usage: Usage):
        super().__init__("rate limited")
        self.usage = usage

    @property
    def retry_after(self) -> int:
        return max(self.usage.reset_seconds, 1)

    @property
    def message(self) -> str:
        minutes = max(math.ceil(self.retry_after / 60), 1)
        unit = "minute" if minutes == 1 else "minutes"
        return f"Rate limit exceeded. Retry after {minutes} {unit}."


def _bucket(request) -> tuple[str, int, int]:
    """(bucket key, requests per hour, bookings per hour) for this client."""
    account = getattr(request, "auth", None)
    if account is not None and hasattr(account, "bookings_per_hour"):
        return f"account:{account.pk}", account.requests_per_hour, account.bookings_per_hour
    return (
        f"ip:{client_ip_bucket(request)}",
        settings.PUBLIC_REQUESTS_PER_HOUR,
        settings.PUBLIC_BOOKINGS_PER_HOUR,
    )


def _usage(request, group: str, bucket: str, limit: int, *, increment: bool) -> Usage | None:
    try:
        usage = ratelimit.get_usage(
            request,
            group=group,
            key=lambda _group, _request: bucket,
            rate=(limit, HOUR),
            increment=increment,
        )
    except Exception:
        logger.exception("rate limit cache unavailable: letting the request through")
        return None
    if usage is None or usage["time_left"] < 0:
        return None
    return Usage(limit=limit, count=usage["count"], reset_seconds=usage["time_left"])


def count_request(request) -> Usage | None:
    """Count this request; RateLimited when it is over the client's request limit."""
    bucket, requests_per_hour, _ = _bucket(request)
    usage = _usage(request, REQUESTS, bucket, requests_per_hour, increment=True)
    if usage is not None and usage.exceeded:
        raise RateLimited(usage)
    return usage


def _give_back(bucket: str, limit: int) -> None:
    # django-ratelimit has no decrement; the key is rebuilt with its own helpers so the seat
    # of a booking that did not happen goes back to the same window's counter.
    try:
        key = ratelimit._make_cache_key(
            BOOKINGS, ratelimit._get_window(bucket, HOUR), (limit, HOUR), bucket, ratelimit.ALL
        )
        caches[getattr(settings, "RATELIMIT_USE_CACHE", "default")].decr(key)
    except Exception:
        logger.exception("rate limit cache unavailable: booking quota not given back")


@contextmanager
def booking_quota(request):
    """Reserve one of the client's bookings for the block; give it back if the block fails.

    Reserving first (an atomic increment) rather than counting after success is what stops a
    burst of simultaneous requests from all slipping under the limit.
    """
    bucket, _, bookings_per_hour = _bucket(request)
    usage = _usage(request, BOOKINGS, bucket, bookings_per_hour, increment=True)
    if usage is not None and usage.exceeded:
        _give_back(bucket, bookings_per_hour)
        raise RateLimited(usage)
    try:
        yield usage
    except BaseException:
        if usage is not None:
            _give_back(bucket, bookings_per_hour)
        raise
