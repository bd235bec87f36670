"""Which shops a signed-in user may see, and in which role."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Membership, Shop


def shops_for(user) -> QuerySet[Shop]:
    """The shops a user works for; every shop for a superuser."""
    if not user.is_authenticated or not user.is_active:
        return Shop.objects.none()
    if user.is_superuser:
        return Shop.objects.all()
    return Shop.objects.filter(memberships__user=user).distinct()


def is_owner(user, shop: Shop | None = None) -> bool:
    """Owner of `shop`, or of any shop when none is given; superusers count as owners."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    memberships = Membership.objects.owners().filter(user=user)
    if shop is not None:
        memberships = memberships.filter(shop=shop)
    return memberships.exists()
