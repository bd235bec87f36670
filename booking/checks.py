from __future__ import annotations

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_shared_rate_limit_cache(app_configs, **kwargs):
    """Several workers each with a local-memory cache would each allow the full limit."""
    if settings.DEBUG or settings.REDIS_URL:
        return []
    return [
        checks.Warning(
            "Rate limits are counted in the local-memory cache, which each worker process "
            "keeps apart: with several workers a client gets the limit once per worker.",
            hint="Set REDIS_URL so every worker counts in the same cache.",
            id="applianceops.W001",
        )
    ]
