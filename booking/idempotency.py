"""Safe retries: the Idempotency-Key header on the Partner API's POSTs (DESIGN 9).

After the IETF httpapi draft "The Idempotency-Key HTTP Header Field": a client sends a key of
its own (1-255 printable ASCII characters, a UUID is best) with a POST. The first request with
the key runs; a later one with the same key and the same body gets the first one's final
answer again, with `Idempotent-Replayed: true`, and the view does not run: no second booking,
no second e-mail, no booking quota used. A key belongs to its caller at one shop: the
scheduler account of a partner key, else the client's rate-limit bucket and the slug it names.

One key's life, each step a single guarded statement (never a read-then-write):

1. claim: INSERT a record (scope, key, fingerprint of the operation and body, a claim id).
   The unique (scope, key) lets exactly one request in, however many workers race. A request
   that cannot insert reads the record: another body is 422 idempotency_key_reused, no answer
   yet is 409 idempotency_conflict with Retry-After: 1, an answer is replayed.
2. answer: a view that writes calls `keep_answer` inside its own transaction, so the booking
   and its answer commit together or not at all: a retry after a lost answer always finds it.
   Any other final answer (a 4xx: nothing was written) is kept as the response leaves.
3. release: a 5xx, and a 429 (which means "later", not "no"), keep nothing: the record is
   deleted unless an answer was committed, so the retry the contract allows runs afresh.

A record lives IDEMPOTENCY_KEY_HOURS (24) from its first request; an expired one is taken over
by the next request with its key, and `manage.py prune_idempotency_keys` deletes the rest. A
claim left without an answer for IN_FLIGHT_LEASE (its worker was killed) is taken over by the
same request sent again: its transaction never committed, so running it again is safe, and
should the first still be running, its `keep_answer` finds the claim gone and rolls back.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from rest_framework.response import Response

from applianceops.api_errors import ApiError
from booking import ratelimits
from booking.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Longer than any request can run (gunicorn's timeout is 30 s), so a live claim is never taken.
IN_FLIGHT_LEASE = dt.timedelta(seconds=60)
_KEY_RE = re.compile(r"[\x20-\x7e]{1,255}")
# A burst of requests with one key can see the record vanish between INSERT and read (the
# first one's 5xx released it); a few tries settle it either way.
_CLAIM_TRIES = 3


class Replay(Exception):
    """The key's stored answer, raised from the view's `initial` so the view does not run."""

    def __init__(self, record: IdempotencyRecord):
        super().__init__("replay")
        self.record = record

    def response(self) -> Response:
        return Response(
            self.record.body, status=self.record.status_code, headers={REPLAYED_HEADER: "true"}
        )


class ClaimLost(Exception):
    """The claim was taken over while this request ran: roll its writes back (a 500)."""


@dataclass(frozen=True)
class Claim:
    """This request's hold on a key, until its answer is kept or it is released."""

    scope: str
    key: str
    claim: uuid.UUID

    def record(self):
        return IdempotencyRecord.objects.filter(scope=self.scope, key=self.key, claim=self.claim)


def key_of(request) -> str | None:
    """The request's Idempotency-Key, None without one; a malformed key is a 400."""
    raw = request.headers.get(HEADER)
    if raw is None:
        return None
    key = raw.strip()
    # The draft sends the key as a structured-field string, in double quotes; a bare one works.
    if len(key) >= 2 and key[0] == key[-1] == '"':
        key = key[1:-1]
    if not _KEY_RE.fullmatch(key):
        raise ApiError(
            "Idempotency-Key must be 1 to 255 printable ASCII characters, e.g. a UUID.",
            code="invalid_idempotency_key",
        )
    return key


def fingerprint(request) -> str:
    """SHA-256 of the operation (the route and its arguments) and the raw request body."""
    match = request.resolver_match
    operation = f"{match.view_name} {json.dumps(match.kwargs, sort_keys=True, default=str)}\n"
    return hashlib.sha256(operation.encode() + request.body).hexdigest()


def scope_of(request, *, slug: str = "") -> str:
    """The caller's key space: its scheduler account (which is one shop's), with its test key
    one of its own (a rehearsal never answers for the real thing), else its rate-limit bucket
    at the shop it names."""
    if request.auth is not None:
        return f"account:{request.auth.pk}" + (":test" if request.auth.test_mode else "")
    bucket = ratelimits.bucket_name(request, account=None)
    return f"{bucket}|{slug.strip().lower()[:60]}"


def claim(*, scope: str, key: str, fingerprint: str) -> Claim:
    """Hold `key` for this request; raises Replay, or ApiError 409 or 422, when it is not ours."""
    for _ in range(_CLAIM_TRIES):
        now = timezone.now()
        mine = Claim(scope, key, uuid.uuid4())
        held = {"fingerprint": fingerprint, "claim": mine.claim, "claimed_at": now}
        held["expires_at"] = now + dt.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)
        try:
            with transaction.atomic():
                IdempotencyRecord.objects.create(scope=scope, key=key, **held)
            return mine
        except IntegrityError:
            pass
        # An expired record is anyone's; an unanswered one past its lease, the same request's.
        abandoned = Q(status_code__isnull=True, claimed_at__lt=now - IN_FLIGHT_LEASE)
        taken = (
            IdempotencyRecord.objects.filter(scope=scope, key=key)
            .filter(Q(expires_at__lte=now) | (abandoned & Q(fingerprint=fingerprint)))
            .update(status_code=None, body=None, **held)
        )
        if taken:
            return mine
        record = IdempotencyRecord.objects.filter(scope=scope, key=key).first()
        if record is not None:
            _refuse_or_replay(record, fingerprint)
    raise _in_flight()


def _refuse_or_replay(record: IdempotencyRecord, fingerprint: str):
    if record.fingerprint != fingerprint:
        raise ApiError(
            "This Idempotency-Key was already used for a different request. Send a new key "
            "for a new request; a retry must repeat the first request exactly.",
            code="idempotency_key_reused",
            status_code=422,
        )
    if record.status_code is None:
        raise _in_flight()
    raise Replay(record)


def _in_flight() -> ApiError:
    return ApiError(
        "A request with this Idempotency-Key is still being processed. Retry in a second to "
        "get its answer.",
        code="idempotency_conflict",
        status_code=409,
        headers={"Retry-After": "1"},
    )


def keep_answer(held: Claim, status_code: int, body) -> None:
    """Keep the answer, in the caller's transaction: it commits with what the request wrote."""
    if (
        not held.record()
        .filter(status_code__isnull=True)
        .update(status_code=status_code, body=body)
    ):
        raise ClaimLost(f"the claim on Idempotency-Key {held.key!r} was taken over")


def settle(held: Claim, status_code: int, body) -> None:
    """As the response leaves: keep a final answer, or release the key for a retry."""
    unanswered = held.record().filter(status_code__isnull=True)
    if status_code >= 500 or status_code == 429:
        unanswered.delete()
    else:
        unanswered.update(status_code=status_code, body=body)


class IdempotentPost:
    """For a Partner API view whose POST takes an Idempotency-Key (put before the APIView).

    The view says whose key space a request is in (`idempotency_scope`), and a view that
    writes keeps its answer with `self.keep_answer(status, body)` inside its transaction.
    """

    idempotency_claim: Claim | None = None

    def idempotency_scope(self, request) -> str:
        return scope_of(request)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if request.method != "POST":
            return
        key = key_of(request)
        if key is not None:
            # The fingerprint reads the raw body, so it comes before anything parses it.
            body_print = fingerprint(request)
            scope = self.idempotency_scope(request)
            self.idempotency_claim = claim(scope=scope, key=key, fingerprint=body_print)

    def handle_exception(self, exc):
        if isinstance(exc, Replay):
            return exc.response()
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        if self.idempotency_claim is not None:
            settle(self.idempotency_claim, response.status_code, getattr(response, "data", None))
        return super().finalize_response(request, response, *args, **kwargs)

    def keep_answer(self, status_code: int, body) -> None:
        if self.idempotency_claim is not None:
            keep_answer(self.idempotency_claim, status_code, body)
