from __future__ import annotations

import datetime as dt

import factory

from booking import slots
from booking.models import Booking
from tenants.tests.factories import ShopFactory


class BookingFactory(factory.django.DjangoModelFactory):
    """A booking row as the service would write it; use booking_create when seats matter."""

    class Meta:
        model = Booking

    shop = factory.SubFactory(ShopFactory)
    customer_name = factory.Sequence(lambda n: f"Customer {n}")
    phone = "+16615550199"
    email = factory.LazyAttribute(
        lambda b: f"{b.customer_name.replace(' ', '.').lower()}@example.com"
    )
    address = "123 Main St, Lancaster CA 93534"
    appliance_type = "Refrigerator"
    issue = "Not cooling."
    scheduled_date = factory.LazyFunction(lambda: dt.date.today() + dt.timedelta(days=7))
    scheduled_time = dt.time(9, 0)
    window = factory.LazyAttribute(lambda b: slots.window_of(b.scheduled_time))
    source = "ahs"
    channel = Booking.Channel.API
