from django.urls import path, re_path

from technicians import views

# The technician's day and feed, from the signed link (technicians/links.py).
urlpatterns = [
    path("t/<str:token>/", views.day_page, name="technician-today"),
    re_path(
        r"^t/(?P<token>[^/]+)/(?P<day>\d{4}-\d{2}-\d{2})/$", views.day_page, name="technician-day"
    ),
    path("t/<str:token>/calendar.ics", views.feed, name="technician-feed"),
    path(
        "t/<str:token>/jobs/<uuid:booking_id>/on-my-way",
        views.on_my_way,
        name="technician-on-my-way",
    ),
    path("t/<str:token>/jobs/<uuid:booking_id>/done", views.done, name="technician-done"),
]
