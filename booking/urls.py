from django.urls import re_path

from booking import api

urlpatterns = [
    re_path(r"^api/booking/book/?$", api.BookingCreateApi.as_view(), name="api-booking-book"),
]
