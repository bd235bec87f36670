from django.urls import re_path
from drf_spectacular.views import SpectacularAPIView

from booking import api, api_docs, api_schema  # noqa: F401  (api_schema registers extensions)

urlpatterns = [
    re_path(r"^api/booking/book/?$", api.BookingCreateApi.as_view(), name="api-booking-book"),
    re_path(r"^api/docs/?$", api_docs.api_docs, name="api-docs"),
    re_path(r"^api/schema/?$", SpectacularAPIView.as_view(), name="api-schema"),
]
