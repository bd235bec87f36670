from django.apps import AppConfig


class BookingConfig(AppConfig):
    name = "booking"
    verbose_name = "Bookings"

    def ready(self):
        # The e-mail log's admin lives beside the dispatch admin, not inside it.
        from booking import (
            admin_notifications,  # noqa: F401
            checks,  # noqa: F401  (registers the deploy check)
        )
