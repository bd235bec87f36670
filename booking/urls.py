from django.urls import re_path

from booking import api, api_docs

urlpatterns = [
    re_path(r"^api/booking/book/?$", api.BookingCreateApi.as_view(), name="api-booking-book"),
    re_path(r"^api/docs/?$", api_docs.api_docs, name="api-docs"),
]
