"""Write path for shops and their people."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction

from tenants.models import BookingSettings, Membership, Shop

# The demo shop seed_demo creates; the landing page and /api/docs point at it.
DEMO_SLUG = "done-right-appliance"


@transaction.atomic
def shop_create(
    *,
    name: str,
    slug: str,
    time_zone: str | None = None,
    jobs_per_start_time: int | None = None,
    weekdays: list[int] | None = None,
    **details,
) -> Shop:
    """Create a shop with its online-booking settings; ValidationError names what is wrong."""
    shop = Shop(name=name, slug=slug, **details)
    if time_zone:
        shop.time_zone = time_zone
    shop.full_clean()
    shop.save()
    booking_settings = BookingSettings(shop=shop)
    if jobs_per_start_time is not None:
        booking_settings.jobs_per_start_time = jobs_per_start_time
    if weekdays is not None:
        booking_settings.working_weekdays = sorted(set(weekdays))
    booking_settings.full_clean()
    booking_settings.save()
    return shop


@transaction.atomic
def membership_create(
    *, shop: Shop, username: str, password: str, role: str, email: str = ""
) -> Membership:
    """A staff login for the shop's admin: an owner or a dispatcher."""
    User = get_user_model()
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": f"The username {username!r} is taken."})
    user = User(username=username, email=email, is_staff=True)
    user.set_password(password)
    user.full_clean()
    user.save()
    return Membership.objects.create(user=user, shop=shop, role=role)
