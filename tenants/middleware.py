"""Signed-in shop staff and partner agents read every time on their shop's clock."""

from __future__ import annotations

import zoneinfo

from django.db.models import Q
from django.utils import timezone

from tenants.models import Shop


def shop_time_zone(user) -> zoneinfo.ZoneInfo | None:
    """The one time zone of the shops a user works for or books into; None if none or several."""
    if not (user.is_authenticated and user.is_active):
        return None
    zones = list(
        Shop.objects.filter(Q(memberships__user=user) | Q(scheduler_accounts__agents__user=user))
        .order_by()
        .values_list("time_zone", flat=True)
        .distinct()[:2]
    )
    if len(zones) != 1:
        # A superuser or someone at shops in several zones keeps the server's (UTC) times
        # rather than one shop's clock passed off as the others'.
        return None
    return zoneinfo.ZoneInfo(zones[0])


class ShopTimeZoneMiddleware:
    """Activate the shop's zone, so the admin's "booked at", "last used" and date filters match
    the calendar (settings.TIME_ZONE is UTC: a shop in California would otherwise read its own
    afternoon bookings as made "11 p.m." and filed under tomorrow)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = shop_time_zone(request.user)
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
