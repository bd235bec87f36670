"""Scheduler accounts of the fixed cast: "Acme Warranty" at shop A, "Best Home" at shop B."""

from __future__ import annotations

import pytest

from schedulerAccounts.services import scheduler_account_create

PORTAL_PASSWORD = "correct-horse-battery"


@pytest.fixture
def account_a(shop_a):
    """(account, plaintext key) at shop A, with a portal login and no extra rights."""
    return scheduler_account_create(
        shop=shop_a,
        name="Acme Warranty",
        source_tag="acme",
        username="acme-agent",
        password=PORTAL_PASSWORD,
    )


@pytest.fixture
def account_b(shop_b):
    return scheduler_account_create(
        shop=shop_b,
        name="Best Home",
        source_tag="besthome",
        username="best-agent",
        password=PORTAL_PASSWORD,
    )


@pytest.fixture
def account_a2(shop_a):
    """A second partner of shop A: its bookings are none of account_a's business."""
    return scheduler_account_create(
        shop=shop_a,
        name="Other Partner",
        source_tag="other",
        username="other-agent",
        password=PORTAL_PASSWORD,
    )
