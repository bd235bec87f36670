"""Write path for scheduler accounts: keys, portal logins, and a partner's bookings on its terms."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from booking.inputs import customer_from, is_sent, job_from
from booking.models import Booking
from booking.services import Extras, booking_create
from booking.slots import SlotRequest
from schedulerAccounts import keys
from schedulerAccounts.models import PortalAgent, SchedulerAccount
from tenants.models import Shop

# last-used is a hint for the owner, not an audit log: one write a minute per key is plenty.
LAST_USED_PRECISION = dt.timedelta(minutes=1)


class KeyRejected(Exception):
    """A partner key that is malformed, unknown, revoked or belongs to an inactive account."""


class FieldNotAllowed(Exception):
    """A field beyond the public schema that the sender may not write."""

    def __init__(self, field: str, *, with_key: bool):
        self.field = field
        if with_key:
            message = f"This partner key may not write the field {field}; ask the shop owner."
        else:
            message = f"The field {field} needs a private partner key."
        super().__init__(message)
        self.message = message


@transaction.atomic
def scheduler_account_create(
    *,
    shop: Shop,
    name: str,
    source_tag: str = "",
    requests_per_hour: int | None = None,
    bookings_per_hour: int | None = None,
    allowed_fields: Iterable[str] = (),
    may_override_source: bool = False,
    may_overbook: bool = False,
    username: str = "",
    password: str = "",
) -> tuple[SchedulerAccount, str]:
    """A new account with its first key: (account, plaintext key). The key is never stored;
    a test key, if wanted, is scheduler_account_rotate_key(account=..., test=True)."""
    account = SchedulerAccount(
        shop=shop,
        name=name.strip(),
        source_tag=(source_tag or slugify(name)).strip(),
        allowed_fields=sorted(set(allowed_fields)),
        may_override_source=may_override_source,
        may_overbook=may_overbook,
    )
    if requests_per_hour is not None:
        account.requests_per_hour = requests_per_hour
    if bookings_per_hour is not None:
        account.bookings_per_hour = bookings_per_hour
    account.full_clean()
    account.save()
    if username or password:
        scheduler_agent_add(account=account, username=username, password=password)
    key = scheduler_account_rotate_key(account=account)
    return account, key


def scheduler_account_rotate_key(*, account: SchedulerAccount, test: bool = False) -> str:
    """Issue a new key (with `test`, a new test key); the old one stops working at once.
    Returns the plaintext, once."""
    field = "test_key_" if test else "key_"
    for _ in range(5):
        new = keys.generate_key(test=test)
        # 36^8 lookups: a clash is near impossible, but the prefix is unique, so check.
        if not SchedulerAccount.objects.filter(**{f"{field}prefix": new.prefix}).exists():
            break
    else:  # pragma: no cover - five clashes in a row means the generator is broken
        raise RuntimeError("Could not generate a unique partner key prefix.")
    now = timezone.now()
    SchedulerAccount.objects.filter(pk=account.pk).update(
        **{
            f"{field}prefix": new.prefix,
            f"{field}hash": new.hash,
            f"{field}created_at": now,
            f"{field}last_used_at": None,
            f"{field}revoked_at": None,
        }
    )
    account.refresh_from_db()
    return new.plaintext


def scheduler_account_revoke_key(
    *, account: SchedulerAccount, test: bool = False
) -> SchedulerAccount:
    """Stop the current key (with `test`, the test key); the prefix is kept so a caller
    learns the key was revoked."""
    field = "test_key_" if test else "key_"
    SchedulerAccount.objects.filter(pk=account.pk, **{f"{field}revoked_at__isnull": True}).update(
        **{f"{field}revoked_at": timezone.now()}
    )
    account.refresh_from_db()
    return account


def _portal_username(username: str, *, current_user=None) -> str:
    """The username, stripped, if no other login has it (in any case); else ValidationError."""
    username = username.strip()
    if not username:
        raise ValidationError({"username": "A portal login needs a username."})
    taken = get_user_model().objects.filter(username__iexact=username)
    if current_user is not None:
        taken = taken.exclude(pk=current_user.pk)
    if taken.exists():
        raise ValidationError({"username": f"The username {username!r} is taken."})
    return username


def _set_password(user, password: str) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)


@transaction.atomic
def scheduler_agent_add(*, account: SchedulerAccount, username: str, password: str) -> PortalAgent:
    """A new portal login under the account: a plain user, never staff, so /admin/ stays closed."""
    user = get_user_model()(username=_portal_username(username), is_staff=False)
    if not password:
        raise ValidationError({"password": "A new portal login needs a password."})
    _set_password(user, password)
    user.full_clean(exclude=["password"])
    user.save()
    return PortalAgent.objects.create(account=account, user=user)


@transaction.atomic
def scheduler_agent_update(
    *, agent: PortalAgent, username: str, password: str = "", is_active: bool = True
) -> PortalAgent:
    """Rename a portal login, give it a new password (empty keeps it), switch it on or off.

    Switched off, the login cannot sign in and its open sessions end; its bookings keep it.
    """
    user = agent.user
    user.username = _portal_username(username, current_user=user)
    if password:
        _set_password(user, password)
    user.is_active = is_active
    user.is_staff = user.is_superuser = False
    user.full_clean(exclude=["password"])
    user.save()
    return agent


@transaction.atomic
def scheduler_account_delete(*, account: SchedulerAccount) -> None:
    """Delete the account and its portal logins; its bookings stay, unlinked."""
    users = [agent.user for agent in account.agents.select_related("user")]
    account.delete()
    for user in users:
        user.delete()


def scheduler_account_for_key(key: str) -> SchedulerAccount:
    """The account a partner key belongs to, its `test_mode` set for a test key; KeyRejected
    with a reason a partner can act on."""
    prefix = keys.key_prefix(key)
    if prefix is None:
        raise KeyRejected(
            "Malformed partner key: expected ao_live_<8 characters>_<40 characters> "
            "(or ao_test_... for a test key)."
        )
    test = keys.is_test_key(key)
    field = "test_key_" if test else "key_"
    found = SchedulerAccount.objects.select_related("shop").filter(**{f"{field}prefix": prefix})
    account = found.first()
    if account is None or not keys.key_matches(key, getattr(account, f"{field}hash")):
        raise KeyRejected("Invalid partner key.")
    if getattr(account, f"{field}revoked_at") is not None:
        kind = "test key" if test else "partner key"
        raise KeyRejected(f"This {kind} has been revoked; ask the shop owner for a new one.")
    if not account.is_active:
        raise KeyRejected("This scheduler account is not active.")
    _mark_used(account, field)
    account.test_mode = test
    return account


def _mark_used(account: SchedulerAccount, field: str = "key_") -> None:
    now = timezone.now()
    last_used = f"{field}last_used_at"
    last = getattr(account, last_used)
    if last is not None and last >= now - LAST_USED_PRECISION:
        return  # as read with the key: written less than a minute ago, no round trip
    # Guarded: of workers that read the same old time, one writes.
    SchedulerAccount.objects.filter(pk=account.pk).filter(
        Q(**{f"{last_used}__isnull": True}) | Q(**{f"{last_used}__lt": now - LAST_USED_PRECISION})
    ).update(**{last_used: now})


def check_extra_fields(*, account: SchedulerAccount | None, data: Mapping) -> None:
    """Refuse, naming it, the first field beyond the public schema the sender may not write.

    Never drop one silently: a partner who sends `priority` must learn it did not stick. The
    doors call this on the input as sent, before validating it, so this refusal comes first.
    """
    for field in SchedulerAccount.EXTRA_FIELDS:
        if field in data and is_sent(data[field]):
            if account is None:
                raise FieldNotAllowed(field, with_key=False)
            if not account.may_write(field):
                raise FieldNotAllowed(field, with_key=True)


@dataclass(frozen=True)
class PartnerTerms:
    """What a partner's booking carries: its source tag, its extra fields, the overbook right."""

    source: str
    extras: Extras
    allow_overbook: bool


def partner_booking_terms(*, account: SchedulerAccount | None, data: Mapping) -> PartnerTerms:
    """The terms of a booking from `account` (None: the API without a key), from its input.

    The account's tag, unless the owner lets it send its own and it did; without a key the
    sender's own source. Extra fields the input does not hold keep the public defaults; the
    input has passed check_extra_fields, so any it holds are the sender's to write.
    """
    source = (data.get("source") or "").strip()
    if account is not None and not (account.may_override_source and source):
        source = account.source_tag
    extras = Extras(
        status=data.get("status") or Booking.Status.SCHEDULED,
        priority=data.get("priority") or Booking.Priority.NORMAL,
        dispatcher_notes=(data.get("dispatcher_notes") or "").strip(),
        partner_reference=(data.get("partner_reference") or "").strip(),
        duration_minutes=data.get("duration_minutes") or None,
    )
    return PartnerTerms(source, extras, allow_overbook=bool(data.get("allow_overbook")))


def partner_booking_create(
    *,
    shop: Shop,
    account: SchedulerAccount | None,
    data: Mapping,
    slot_request: SlotRequest,
    channel: str,
    client_ip: str | None,
    agent: PortalAgent | None = None,
    before_commit=None,
) -> Booking:
    """Book for a partner, through the API (with a key or without) or the portal, where
    `agent` is the partner's person who booked it.

    `data` is the door's validated input: the contract's fields and any extra fields;
    `before_commit` as for booking_create. An account authenticated with its test key books a
    test booking.
    """
    terms = partner_booking_terms(account=account, data=data)
    return booking_create(
        shop=shop,
        customer=customer_from(data),
        job=job_from(data),
        slot_request=slot_request,
        source=terms.source,
        channel=channel,
        client_ip=client_ip,
        account=account,
        agent=agent,
        extras=terms.extras,
        allow_overbook=terms.allow_overbook,
        test=account is not None and account.test_mode,
        before_commit=before_commit,
    )
