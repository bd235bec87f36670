"""Who may use the partner portal: a signed-in agent of an active scheduler account."""

from __future__ import annotations

from schedulerAccounts.models import PortalAgent, SchedulerAccount


def portal_agent(user) -> PortalAgent | None:
    """The portal login a signed-in user is, if its scheduler account is active; else None."""
    if not user.is_authenticated or not user.is_active:
        return None
    return (
        PortalAgent.objects.select_related(
            "user", "account", "account__shop", "account__shop__booking_settings"
        )
        .filter(user=user, account__is_active=True)
        .first()
    )


def portal_account(user) -> SchedulerAccount | None:
    """The active scheduler account a signed-in user acts for, or None."""
    agent = portal_agent(user)
    return agent.account if agent else None
