"""Settings for `make bench` only: the project's own settings, with the floor view's URL added.

Never the product's: nothing outside bench/ points here, so /bench/floor is a 404 in production.
"""

from applianceops.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
