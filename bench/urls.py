"""The project's URLs, plus the benchmark's floor view (bench/settings.py only)."""

from django.urls import path

from applianceops.urls import handler404, handler500
from applianceops.urls import urlpatterns as project_urlpatterns
from bench.floor import floor

# After the project's own routes, so resolving /bench/floor costs at least what resolving the
# booking API does: the floor must not be flattered by a shorter walk.
urlpatterns = [*project_urlpatterns, path("bench/floor", floor, name="bench-floor")]

__all__ = ["handler404", "handler500", "urlpatterns"]
