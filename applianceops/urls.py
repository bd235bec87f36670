from django.contrib import admin
from django.urls import include, path, re_path

from applianceops import views

urlpatterns = [
    path("", views.landing, name="landing"),
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("booking.urls")),
    path("", include("schedulerAccounts.urls")),
    path("", include("technicians.urls")),
    path("", include("webhooks.urls")),
    # Unknown API paths answer in JSON even with DEBUG on: an API client never gets HTML.
    re_path(r"^api/", views.page_not_found),
]

handler403 = "applianceops.views.permission_denied"
handler404 = "applianceops.views.page_not_found"
handler500 = "applianceops.views.server_error"
