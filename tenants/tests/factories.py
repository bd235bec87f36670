from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from tenants.models import BookingSettings, Membership, Shop


class ShopFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Shop
        django_get_or_create = ("slug",)
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Shop {n}")
    slug = factory.Sequence(lambda n: f"shop-{n}")
    time_zone = "America/Los_Angeles"
    phone = "+16615550100"
    address = "1 Shop St, Lancaster CA 93534"
    notification_email = factory.LazyAttribute(lambda shop: f"alerts@{shop.slug}.example")

    @factory.post_generation
    def booking_settings(shop, create, extracted, **kwargs):
        # Every shop has its settings, as shop_create makes them.
        if create:
            BookingSettings.objects.get_or_create(shop=shop, defaults=kwargs)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    is_staff = True
    password = factory.PostGenerationMethodCall("set_password", "password")

    @factory.post_generation
    def save_password(user, create, extracted, **kwargs):
        if create:
            user.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    shop = factory.SubFactory(ShopFactory)
    role = Membership.Role.OWNER
