from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from booking import (  # noqa: F401
    api,
    api_availability,
    api_bookings,
    api_docs,
    api_schema,
    api_schema_partner,
    self_service_views,
    views,
)

# api_schema(_partner) are imported for their side effect: they register the API views' OpenAPI
# extensions.

# Any case: a partner may print the id in capitals; the view reads it as a UUID.
BOOKING_ID = (
    r"(?P<booking_id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
)

urlpatterns = [
    re_path(r"^api/booking/book/?$", api.BookingCreateApi.as_view(), name="api-booking-book"),
    re_path(
        r"^api/booking/availability/?$",
        api_availability.AvailabilityApi.as_view(),
        name="api-booking-availability",
    ),
    re_path(r"^api/booking/?$", api_bookings.BookingListApi.as_view(), name="api-booking-list"),
    re_path(
        rf"^api/booking/{BOOKING_ID}/?$",
        api_bookings.BookingDetailApi.as_view(),
        name="api-booking-detail",
    ),
    re_path(
        rf"^api/booking/{BOOKING_ID}/reschedule/?$",
        api_bookings.BookingRescheduleApi.as_view(),
        name="api-booking-reschedule",
    ),
    re_path(
        rf"^api/booking/{BOOKING_ID}/cancel/?$",
        api_bookings.BookingCancelApi.as_view(),
        name="api-booking-cancel",
    ),
    re_path(r"^api/docs/?$", api_docs.api_docs, name="api-docs"),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="api-schema"),
    re_path(r"^book/(?P<slug>[-\w]+)/?$", views.booking_page, name="booking-page"),
    path("book/<str:slug>/availability", views.booking_availability, name="booking-availability"),
    path(
        "book/<str:slug>/booked/<str:token>",
        views.booking_confirmation,
        name="booking-confirmation",
    ),
    path(
        "book/<str:slug>/booked/<str:token>/calendar.ics",
        views.booking_calendar_file,
        name="booking-calendar-file",
    ),
    # The customer's page from the signed link in their e-mails (booking/self_service.py).
    path("b/<str:token>/", self_service_views.manage, name="booking-self-service"),
    path("b/<str:token>/cancel", self_service_views.cancel, name="booking-self-service-cancel"),
    path(
        "b/<str:token>/reschedule",
        self_service_views.reschedule,
        name="booking-self-service-reschedule",
    ),
]
