from __future__ import annotations

from booking.checks import check_shared_rate_limit_cache


def test_check_deploy_warns_when_production_counts_limits_per_process(settings):
    settings.DEBUG = False
    settings.REDIS_URL = ""

    warnings = check_shared_rate_limit_cache(None)

    assert [w.id for w in warnings] == ["applianceops.W001"]


def test_check_deploy_is_quiet_with_a_shared_cache(settings):
    settings.DEBUG = False
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"

    assert check_shared_rate_limit_cache(None) == []
