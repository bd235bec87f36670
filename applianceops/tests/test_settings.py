"""settings.py read from the environment: good values configure, bad ones stop start-up.

Each case runs in a fresh interpreter, because settings are read once per process.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[2]

# Every variable the settings read (each through an env_* reader); the parent's values (CI sets
# DATABASE_URL) must not leak in.
SETTINGS_VARIABLES = tuple(
    sorted(
        set(
            re.findall(
                r'env_\w+\(\s*"([A-Z0-9_]+)"',
                (PROJECT / "applianceops" / "settings.py").read_text(),
            )
        )
    )
)

PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k3^v9-production-secret-for-tests-only-8q7w6e5r4t3y2u1i0o-p9l8k7j6h5g4f",
    "ALLOWED_HOSTS": "applianceops.pro",
    "CSRF_TRUSTED_ORIGINS": "https://applianceops.pro",
    # Several workers need one shared cache for the rate limits; check --deploy warns without.
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}

DUMP = """
import json
from applianceops import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG,
    "ENGINE": db["ENGINE"],
    "NAME": str(db["NAME"]),
    "OPTIONS": db.get("OPTIONS", {}),
    "CONN_MAX_AGE": db.get("CONN_MAX_AGE"),
    "CACHE": s.CACHES["default"]["BACKEND"],
    "CACHE_LOCATION": s.CACHES["default"].get("LOCATION"),
    "NUM_PROXIES": s.NUM_PROXIES,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "SECURE_SSL_REDIRECT": s.SECURE_SSL_REDIRECT,
    "WEBHOOK_ALLOW_LOCAL": s.WEBHOOK_ALLOW_LOCAL,
}, default=str))
"""


def _run(args: list[str], **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in SETTINGS_VARIABLES}
    # conftest.py sets this for Playwright; check --deploy rightly rejects it.
    for name in ("DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        clean.pop(name, None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(**env: str) -> dict:
    """The settings a fresh process gets from `env`."""
    result = _run(["-c", DUMP], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def startup_error(**env: str) -> str:
    """The last line of the traceback when importing the settings fails."""
    result = _run(["-c", "import applianceops.settings"], **env)
    assert result.returncode != 0, "settings loaded although they should not have"
    return result.stderr.strip().splitlines()[-1]


def test_the_defaults_need_no_setup():
    values = load_settings()

    assert values["DEBUG"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["NAME"] == str(PROJECT / "db.sqlite3")
    assert values["CACHE"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["NUM_PROXIES"] == 0
    assert values["EMAIL_BACKEND"] == "applianceops.mail.FolderEmailBackend"
    assert values["SECURE_SSL_REDIRECT"] is False


def test_sqlite_is_opened_with_wal_immediate_transactions_and_a_busy_timeout():
    options = load_settings()["OPTIONS"]

    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 5
    assert "journal_mode=WAL" in options["init_command"]


@pytest.mark.parametrize("spelling,expected", [("0", False), ("no", False), ("TRUE", True)])
def test_debug_reads_the_usual_spellings(spelling, expected):
    env = {"DEBUG": spelling}
    if not expected:
        env |= {"SECRET_KEY": PRODUCTION["SECRET_KEY"], "ALLOWED_HOSTS": "example.com"}

    assert load_settings(**env)["DEBUG"] is expected


def test_debug_maybe_stops_startup_naming_the_variable():
    error = startup_error(DEBUG="maybe")

    assert "ImproperlyConfigured" in error
    assert "DEBUG='maybe'" in error


def test_debug_off_without_a_secret_key_refuses_to_start():
    error = startup_error(DEBUG="false")

    assert "SECRET_KEY must be set" in error


def test_webhooks_to_local_addresses_are_refused_outside_debug():
    assert load_settings(WEBHOOK_ALLOW_LOCAL="true")["WEBHOOK_ALLOW_LOCAL"] is True
    error = startup_error(**PRODUCTION, WEBHOOK_ALLOW_LOCAL="true")

    assert "WEBHOOK_ALLOW_LOCAL=true is for development only" in error


@pytest.mark.parametrize("url", ["nonsense", "foo://db.example.com/app"])
def test_an_unparseable_database_url_stops_startup_naming_the_variable(url):
    error = startup_error(DATABASE_URL=url)

    assert "ImproperlyConfigured" in error
    assert "DATABASE_URL" in error


@pytest.mark.parametrize("value", ["two", "-1", "1.5"])
def test_a_bad_num_proxies_stops_startup_naming_the_variable(value):
    error = startup_error(NUM_PROXIES=value)

    assert "ImproperlyConfigured" in error
    assert "NUM_PROXIES" in error


def test_num_proxies_is_read_as_a_number():
    assert load_settings(NUM_PROXIES="2")["NUM_PROXIES"] == 2


def test_a_bad_email_port_stops_startup_naming_the_variable():
    assert "EMAIL_PORT" in startup_error(EMAIL_PORT="smtp")


def test_redis_url_selects_the_redis_cache():
    values = load_settings(REDIS_URL="redis://127.0.0.1:6379/3")

    assert values["CACHE"] == "django_redis.cache.RedisCache"
    assert values["CACHE_LOCATION"] == "redis://127.0.0.1:6379/3"


def test_a_postgres_url_gets_psycopg_with_a_connection_pool():
    values = load_settings(
        DATABASE_URL="postgres://app:secret@db.example.com:5432/appops", DB_POOL_MAX_SIZE="7"
    )

    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["NAME"] == "appops"
    assert values["OPTIONS"]["pool"]["max_size"] == 7
    # Django refuses persistent connections together with a pool.
    assert values["CONN_MAX_AGE"] == 0


def test_allowed_hosts_is_a_comma_separated_list():
    hosts = load_settings(ALLOWED_HOSTS="a.example.com, b.example.com,")["ALLOWED_HOSTS"]

    assert hosts == ["a.example.com", "b.example.com"]


def test_check_deploy_passes_with_production_values(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_passes_behind_a_proxy_that_terminates_tls(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        SECURE_SSL_REDIRECT="false",
        NUM_PROXIES="1",
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_with_a_short_secret_key(tmp_path):
    result = _run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        DATABASE_URL=f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        **(PRODUCTION | {"SECRET_KEY": "short"}),
    )

    assert result.returncode != 0
    assert "security.W009" in result.stderr + result.stdout


def test_the_readme_configuration_table_lists_every_variable_the_settings_read():
    readme = (PROJECT / "README.md").read_text()
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]

    assert len(SETTINGS_VARIABLES) > 20
    missing = [name for name in SETTINGS_VARIABLES if f"`{name}`" not in table]
    assert missing == []


LOGGING_PROBE = """
import logging
import django
django.setup()
for name in ("django.request", "booking.services"):
    print(name, logging.getLevelName(logging.getLogger(name).getEffectiveLevel()))
logging.getLogger("django.request").warning("probe: Not Found: /nowhere")
"""


@pytest.mark.parametrize("debug", ["true", "false"])
def test_log_level_sets_django_and_app_loggers_and_each_line_prints_once(debug):
    result = _run(
        ["-c", LOGGING_PROBE],
        DJANGO_SETTINGS_MODULE="applianceops.settings",
        LOG_LEVEL="warning",
        **({"DEBUG": "true"} if debug == "true" else PRODUCTION),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:2] == ["django.request WARNING", "booking.services WARNING"]
    assert result.stderr.count("probe: Not Found: /nowhere") == 1
    assert "WARNING django.request: probe: Not Found: /nowhere" in result.stderr


def test_log_level_error_silences_django_request_warnings():
    result = _run(
        ["-c", LOGGING_PROBE], DJANGO_SETTINGS_MODULE="applianceops.settings", LOG_LEVEL="ERROR"
    )

    assert result.returncode == 0, result.stderr
    assert "probe" not in result.stderr


def test_a_bad_log_level_stops_startup_naming_the_variable():
    assert "LOG_LEVEL='loud' is not one of DEBUG, INFO" in startup_error(LOG_LEVEL="loud")
