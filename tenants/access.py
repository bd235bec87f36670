"""Which shops a signed-in user may see, and in which role: the one place every door asks."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.models import Membership, Shop

OWNER = Membership.Role.OWNER
DISPATCHER = Membership.Role.DISPATCHER
BOOKING_ROLES = frozenset({OWNER, DISPATCHER})
OWNER_ONLY = frozenset({OWNER})
ALL_ROLES = frozenset(Membership.Role.values)


def shops_for(user) -> QuerySet[Shop]:
    """The shops a user works for; every shop for a superuser."""
    if not user.is_authenticated or not user.is_active:
        return Shop.objects.none()
    if user.is_superuser:
        return Shop.objects.all()
    return Shop.objects.filter(memberships__user=user).distinct()


def shop_roles(request) -> dict[int, str]:
    """{shop id: role} for the signed-in user; one query per request, however often asked."""
    cached = getattr(request, "_shop_roles", None)
    if cached is None:
        user = request.user
        if not (user.is_authenticated and user.is_active):
            cached = {}
        else:
            cached = dict(Membership.objects.filter(user=user).values_list("shop_id", "role"))
        request._shop_roles = cached
    return cached


def shop_ids_with(request, roles: frozenset[str]) -> set[int] | None:
    """Shops where the user holds one of `roles`; None means every shop (a superuser)."""
    if request.user.is_superuser:
        return None
    return {shop_id for shop_id, role in shop_roles(request).items() if role in roles}


def is_shop_owner(request, shop_id: int) -> bool:
    """Owner of that shop (or a superuser): the one who may overbook and manage settings."""
    return request.user.is_superuser or shop_roles(request).get(shop_id) == OWNER
