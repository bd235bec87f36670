"""The scheduler-account tests' toolbox: partner accounts like the cast's, and their password.

The accounts themselves are fixtures in the root conftest.py (account_a, account_b, account_a2);
the booking API's helpers (contract_body, post_booking, bearer) are in booking/tests/helpers.py.
"""

from __future__ import annotations

from schedulerAccounts.services import scheduler_account_create, scheduler_account_rotate_key

PORTAL_PASSWORD = "correct-horse-battery"


def scheduler_account(shop, name: str, tag: str):
    """(account, plaintext key) with a portal login "<tag>-agent" and no extra rights."""
    return scheduler_account_create(
        shop=shop, name=name, source_tag=tag, username=f"{tag}-agent", password=PORTAL_PASSWORD
    )


def portal_login(account):
    """The account's one portal login (the user), as the fixtures and the command create it."""
    return account.agents.select_related("user").get().user


def issue_test_key(account) -> str:
    """A test key (ao_test_...) for `account`, issued as the owner's admin button does."""
    return scheduler_account_rotate_key(account=account, test=True)
