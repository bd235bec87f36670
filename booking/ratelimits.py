"""Per-client limits on the booking doors, counted in the shared cache.

Two limits: every request counts against the request limit (valid or not), and only bookings
that were created count against the booking limit. A scheduler account, passed by the door that
knows it (the API from its key, the portal from its login), has its own limits and bucket;
everyone else is counted per client IP (IPv6 per /64), as decided by applianceops.lib.client_ip.

A count is one cache entry per bucket and hour, created with `add` and moved with `incr` and
`decr`: single atomic commands in Redis (and taken under a lock by the local-memory cache), so
simultaneous requests are neither lost nor let under a limit. Each bucket's hour starts at an
offset of its own, so not every client's window resets in the same second.

The booking API counts both limits in one round trip (`count_request_and_booking`): a Lua
script that Redis runs atomically counts the request and, unless that is over its limit,
reserves a booking; a request that then books nothing gives the reservation back.

When the cache is unreachable the limits fail open with a logged error: a shop would rather take
a booking than show an error page.
"""

from __future__ import annotations

import functools
import logging
import math
import time
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache, caches
from django.core.signals import setting_changed
from django.dispatch import receiver

try:
    from django_redis.cache import RedisCache
except ImportError:  # pragma: no cover - django-redis is in requirements.txt
    RedisCache = None

from applianceops.lib.client_ip import client_ip_bucket

if TYPE_CHECKING:
    from schedulerAccounts.models import SchedulerAccount

logger = logging.getLogger(__name__)

HOUR = 3600
# An entry outlives its window a little, so a late give-back still finds it.
EXPIRY_MARGIN = 60
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


def _bucket(request, account: SchedulerAccount | None) -> tuple[str, int, int]:
    """(bucket key, requests per hour, bookings per hour) for this client."""
    if account is not None:
        return f"account:{account.pk}", account.requests_per_hour, account.bookings_per_hour
    return (
        f"ip:{client_ip_bucket(request)}",
        settings.PUBLIC_REQUESTS_PER_HOUR,
        settings.PUBLIC_BOOKINGS_PER_HOUR,
    )


def bucket_name(request, *, account: SchedulerAccount | None = None) -> str:
    """The bucket this client is counted in: its account's, else its IP's (IPv6 per /64)."""
    return _bucket(request, account)[0]


def _window(group: str, bucket: str) -> tuple[str, int]:
    """(cache key of the bucket's current hour, seconds until that hour ends)."""
    now = int(time.time())
    offset = zlib.crc32(bucket.encode()) % HOUR
    start = now - (now - offset) % HOUR
    return f"ratelimit:{group}:{bucket}:{start}", start + HOUR - now


def _count(key: str, reset_seconds: int, limit: int) -> Usage | None:
    """Add one to the count under `key`; None lets the request pass uncounted."""
    try:
        count = 1 if cache.add(key, 1, reset_seconds + EXPIRY_MARGIN) else cache.incr(key)
    except ValueError:
        # The entry expired between add and incr: its window has just ended.
        return None
    except Exception:
        logger.exception("rate limit cache unavailable: letting the request through")
        return None
    return Usage(limit=limit, count=count, reset_seconds=reset_seconds)


def _give_back(key: str) -> None:
    try:
        cache.decr(key)
    except ValueError:
        pass  # the entry is gone with its window: that count no longer limits anyone
    except Exception:
        logger.exception("rate limit cache unavailable: booking quota not given back")


def count_request(request, *, account: SchedulerAccount | None = None) -> Usage | None:
    """Count this request; RateLimited when it is over the client's request limit."""
    bucket, requests_per_hour, _ = _bucket(request, account)
    usage = _count(*_window(REQUESTS, bucket), requests_per_hour)
    if usage is not None and usage.exceeded:
        raise RateLimited(usage)
    return usage


@contextmanager
def booking_quota(request, *, account: SchedulerAccount | None = None):
    """Reserve one of the client's bookings for the block; give it back if the block fails.

    Reserving first (an atomic increment) rather than counting after success is what stops a
    burst of simultaneous requests from all slipping under the limit. The seat goes back to the
    hour it was counted in, even if a new hour began meanwhile.
    """
    bucket, _, bookings_per_hour = _bucket(request, account)
    key, reset_seconds = _window(BOOKINGS, bucket)
    usage = _count(key, reset_seconds, bookings_per_hour)
    if usage is not None and usage.exceeded:
        _give_back(key)
        raise RateLimited(usage)
    try:
        yield usage
    except BaseException:
        if usage is not None:
            _give_back(key)
        raise


# KEYS: the request counter, the booking counter. ARGV: their lifetimes, the request limit.
# Counts the request and, unless it is over its limit, one booking: {requests, bookings}
# (bookings 0 when not counted). One script, so both counts are atomic together.
_COUNT_BOTH = """
local requests = redis.call('INCR', KEYS[1])
if requests == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if requests > tonumber(ARGV[3]) then return {requests, 0} end
local bookings = redis.call('INCR', KEYS[2])
if bookings == 1 then redis.call('EXPIRE', KEYS[2], ARGV[2]) end
return {requests, bookings}
"""


@dataclass
class Reservation:
    """A booking counted ahead, with its request; given back unless a booking used it."""

    key: str
    usage: Usage
    used: bool = False

    def check(self) -> None:
        """RateLimited (the reservation given back) when it is over the booking limit."""
        if self.usage.exceeded:
            self.give_back()
            raise RateLimited(self.usage)

    def give_back(self) -> None:
        if not self.used:
            self.used = True
            _give_back(self.key)


@dataclass
class LateReservation:
    """A booking reserved only when the request is about to book (`check`), not with the
    request: for a request with an Idempotency-Key, whose retries sent together must not count
    each other's bookings (one of them books, the others get 409 or the replay)."""

    key: str
    reset_seconds: int
    limit: int
    reservation: Reservation | None = None

    def check(self) -> None:
        usage = _count(self.key, self.reset_seconds, self.limit)
        if usage is not None:  # None: the cache failed, the booking goes through uncounted
            self.reservation = Reservation(self.key, usage)
            self.reservation.check()

    def give_back(self) -> None:
        if self.reservation is not None:
            self.reservation.give_back()


def late_booking_reservation(
    request, *, account: SchedulerAccount | None = None
) -> LateReservation:
    bucket, _, bookings_per_hour = _bucket(request, account)
    key, reset_seconds = _window(BOOKINGS, bucket)
    return LateReservation(key, reset_seconds, bookings_per_hour)


@functools.cache
def _redis_counter():
    """(the default cache, its Redis client's counting script), or None when that cache is not
    Redis. Made once per process: `caches["default"]` builds a new backend object in every
    request's context (a twentieth of a booking's Python, py-spy, issue 17), and registering the
    script hashes it again. The Redis client is thread-safe and pools its connections."""
    backend = caches.create_connection("default")
    if RedisCache is None or not isinstance(backend, RedisCache):
        return None
    return backend, backend.client.get_client(write=True).register_script(_COUNT_BOTH)


@receiver(setting_changed)
def _forget_redis_counter(*, setting, **kwargs):
    if setting == "CACHES":
        _redis_counter.cache_clear()


def _count_both(request_key: str, booking_key: str, lifetimes: tuple[int, int], limit: int):
    """(requests, bookings) counted together; bookings 0 when the request is over `limit`."""
    redis_counter = _redis_counter()
    if redis_counter is not None:
        backend, script = redis_counter
        keys = [backend.make_key(request_key), backend.make_key(booking_key)]
        requests, bookings = script(keys=keys, args=[*lifetimes, limit])
        return int(requests), int(bookings)
    # The local-memory cache lives in one process: each count is atomic there, and a request
    # over its limit still reserves nothing.
    requests = 1 if cache.add(request_key, 1, lifetimes[0]) else cache.incr(request_key)
    if requests > limit:
        return requests, 0
    return requests, 1 if cache.add(booking_key, 1, lifetimes[1]) else cache.incr(booking_key)


def count_request_and_booking(
    request, *, account: SchedulerAccount | None = None
) -> tuple[Usage | None, Reservation | None]:
    """Count this request and reserve a booking, in one round trip to the cache.

    RateLimited when the request is over the request limit (nothing reserved then). The
    caller checks the reservation (`Reservation.check`) where it would take the booking quota,
    and gives it back (`give_back`) unless a booking used it. (None, None) lets the request
    through uncounted when the cache fails.
    """
    bucket, requests_per_hour, bookings_per_hour = _bucket(request, account)
    request_key, request_reset = _window(REQUESTS, bucket)
    booking_key, booking_reset = _window(BOOKINGS, bucket)
    lifetimes = (request_reset + EXPIRY_MARGIN, booking_reset + EXPIRY_MARGIN)
    try:
        requests, bookings = _count_both(request_key, booking_key, lifetimes, requests_per_hour)
    except ValueError:
        return None, None  # an entry expired between add and incr: its window just ended
    except Exception:
        logger.exception("rate limit cache unavailable: letting the request through")
        return None, None
    usage = Usage(limit=requests_per_hour, count=requests, reset_seconds=request_reset)
    if usage.exceeded:
        raise RateLimited(usage)
    booked = Usage(limit=bookings_per_hour, count=bookings, reset_seconds=booking_reset)
    return usage, Reservation(booking_key, booked)
