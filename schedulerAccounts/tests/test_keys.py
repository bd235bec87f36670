from __future__ import annotations

import hashlib
from unittest import mock

import pytest

from schedulerAccounts import keys
from schedulerAccounts.models import SchedulerAccount
from schedulerAccounts.services import (
    KeyRejected,
    scheduler_account_for_key,
    scheduler_account_revoke_key,
    scheduler_account_rotate_key,
)


def test_a_key_is_recognisable_by_its_prefix_and_format(account_a):
    _, key = account_a

    assert key.startswith("ao_live_")
    _, lookup, secret = key.rsplit("_", 2)
    assert len(lookup) == 8
    assert len(secret) == 40
    assert keys.key_prefix(key) == f"ao_live_{lookup}"


def test_only_a_hash_of_the_key_is_stored(account_a):
    account, key = account_a

    stored = SchedulerAccount.objects.filter(pk=account.pk).values().get()
    assert key not in str(stored.values())
    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert stored["key_prefix"] == key[: len("ao_live_") + 8]


def test_the_key_is_found_by_its_prefix_and_marks_last_use(account_a):
    account, key = account_a
    assert account.key_last_used_at is None

    found = scheduler_account_for_key(key)

    assert found == account
    account.refresh_from_db()
    assert account.key_last_used_at is not None


def test_the_hash_is_compared_in_constant_time(account_a):
    account, key = account_a

    with mock.patch(
        "schedulerAccounts.keys.hmac.compare_digest", wraps=keys.hmac.compare_digest
    ) as compare:
        scheduler_account_for_key(key)

    compare.assert_called_once_with(
        hashlib.sha256(key.encode()).hexdigest().encode(), account.key_hash.encode()
    )


def test_a_key_with_the_right_prefix_and_a_wrong_secret_is_refused(account_a):
    _, key = account_a
    forged = key[:-1] + ("A" if key[-1] != "A" else "B")

    with pytest.raises(KeyRejected, match="Invalid partner key"):
        scheduler_account_for_key(forged)


@pytest.mark.parametrize(
    "key", ["", "ao_live_", "ao_prod_abcdefgh_" + "a" * 40, "ao_live_ABCDEFGH_" + "a" * 40]
)
def test_a_malformed_key_is_refused(db, key):
    with pytest.raises(KeyRejected, match="Malformed"):
        scheduler_account_for_key(key)


def test_rotation_invalidates_the_old_key(account_a):
    account, old = account_a

    new = scheduler_account_rotate_key(account=account)

    assert new != old
    assert scheduler_account_for_key(new) == account
    with pytest.raises(KeyRejected):
        scheduler_account_for_key(old)


def test_a_revoked_key_is_refused_with_its_reason(account_a):
    account, key = account_a

    scheduler_account_revoke_key(account=account)

    with pytest.raises(KeyRejected, match="revoked"):
        scheduler_account_for_key(key)


def test_the_key_of_an_inactive_account_is_refused(account_a):
    account, key = account_a
    SchedulerAccount.objects.filter(pk=account.pk).update(is_active=False)

    with pytest.raises(KeyRejected, match="not active"):
        scheduler_account_for_key(key)
