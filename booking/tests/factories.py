from __future__ import annotations

import datetime as dt

import factory

from booking import slots
from booking.models import Booking, SeatCounter
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


def fill_starts(shop, day: dt.date, hours=range(8, 17), booked: int = 2) -> None:
    """Give the whole-hour starts `hours` of `day` `booked` taken seats (2 fills the default)."""
    SeatCounter.objects.bulk_create(
        SeatCounter(shop=shop, date=day, start_time=dt.time(hour), booked=booked) for hour in hours
    )


def seats_taken(shop, day: dt.date, start: dt.time) -> int:
    """How many seats the service has counted at one start time."""
    counter = SeatCounter.objects.filter(shop=shop, date=day, start_time=start).first()
    return counter.booked if counter else 0
