"""Who may use the partner portal: a signed-in user with an active scheduler account."""

from __future__ import annotations

from schedulerAccounts.models import SchedulerAccount


def portal_account(user) -> SchedulerAccount | None:
    """The active scheduler account a signed-in user acts for, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        SchedulerAccount.objects.select_related("shop", "shop__booking_settings")
        .filter(user=user, is_active=True)
        .first()
    )
