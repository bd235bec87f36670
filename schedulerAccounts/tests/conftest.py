"""Scheduler accounts of the fixed cast: "Acme Warranty" at shop A, "Best Home" at shop B."""

from __future__ import annotations

import pytest

from schedulerAccounts.services import scheduler_account_create

PORTAL_PASSWORD = "correct-horse-battery"


def _account(shop, name: str, tag: str):
    """(account, plaintext key) with a portal login "<tag>-agent" and no extra rights."""
    return scheduler_account_create(
        shop=shop, name=name, source_tag=tag, username=f"{tag}-agent", password=PORTAL_PASSWORD
    )


@pytest.fixture
def account_a(shop_a):
    return _account(shop_a, "Acme Warranty", "acme")


@pytest.fixture
def account_b(shop_b):
    return _account(shop_b, "Best Home", "best")


@pytest.fixture
def account_a2(shop_a):
    """A second partner of shop A: its bookings are none of account_a's business."""
    return _account(shop_a, "Other Partner", "other")
