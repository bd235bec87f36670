from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Bookings"

    def ready(self):
        from booking import (
            checks,  # noqa: F401  (registers the deploy check)
            facts,  # noqa: F401  (its receivers move shops' facts_version on)
        )
