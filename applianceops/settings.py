"""ApplianceOps settings: one file, driven by environment variables (see README)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from applianceops.lib.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
SILENCED_SYSTEM_CHECKS: list[str] = []

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    # Development only: a fixed key keeps sessions valid across restarts of `make run`.
    SECRET_KEY = "django-insecure-development-key-not-for-production-use-0123456789"

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "applianceops.views.csrf_failure"

# How many reverse proxies we trust to append to X-Forwarded-For (applianceops.lib.client_ip).
NUM_PROXIES = env_int("NUM_PROXIES", default=0, minimum=0)

INSTALLED_APPS = [
    "applianceops.apps.ApplianceOpsAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "phonenumber_field",
    "tenants",
    "technicians",
    "booking",
    "schedulerAccounts",
    "webhooks",
    # After booking: the first app with a command of a name wins, and booking's db_worker is
    # upstream's made to outlive a database restart.
    "django_tasks",
    "django_tasks_db",
    "axes",
]

MIDDLEWARE = [
    # Outermost, so it sees every answer: an error under /api/ is JSON, even with DEBUG on.
    "applianceops.api_errors.ApiJsonErrorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files are answered above, by WhiteNoise, from their pre-compressed copies under
    # long-cache hashed names; pages below (HTML, the admin's JSON feed; not the Partner API's
    # small answers) are gzipped here when the client accepts it. BREACH (secrets guessed
    # from compressed sizes) is answered twice over:
    # the CSRF token in the booking page's form is masked afresh for every response, and
    # Django's GZipMiddleware (since 4.2) pads each compressed response with a random length
    # of bytes ("Heal The Breach"), so sizes no longer tell a guess from a miss.
    "applianceops.compression.PageGZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before any view reads a form: a body that is not UTF-8 is a 400 page, never stored.
    "applianceops.form_encoding.FormEncodingMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication: the signed-in user's shop decides the time zone times show in.
    "tenants.middleware.ShopTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "applianceops.urls"
WSGI_APPLICATION = "applianceops.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
try:
    _database = dj_database_url.parse(DATABASE_URL)
except Exception as exc:  # dj-database-url raises several types for one kind of mistake
    raise ImproperlyConfigured(f"DATABASE_URL could not be parsed: {exc}") from None
if not _database.get("ENGINE"):
    raise ImproperlyConfigured(f"DATABASE_URL has an unsupported scheme: {DATABASE_URL!r}")

if _database["ENGINE"] == "django.db.backends.sqlite3":
    _database["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
        # instead of one failing with "database is locked" when it upgrades a read lock.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests use a file too: in-memory SQLite hides the locking the concurrency tests exercise.
    _database["TEST"] = {"NAME": str(BASE_DIR / ".test-db.sqlite3")}
elif _database["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3's pool keeps connections warm inside each gunicorn worker; it replaces
    # CONN_MAX_AGE, which Django refuses to combine with a pool.
    _database["CONN_MAX_AGE"] = 0
    # A pooled connection is tried before it is handed out (one empty round trip): after a
    # database restart every idle connection is dead, and each would otherwise cost a 500.
    _database["CONN_HEALTH_CHECKS"] = True
    _database.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN_SIZE", default=1, minimum=0),
        "max_size": env_int("DB_POOL_MAX_SIZE", default=10, minimum=1),
        "timeout": 10,
    }
    # Values travel apart from the SQL (not quoted into it on the client), and psycopg prepares
    # a statement once a connection has run it five times: the server parses and plans a
    # booking's few statements once per pooled connection, not per booking (issue 17).
    # DB_SERVER_SIDE_BINDING=false for a pooler that cannot keep prepared statements.
    if env_bool("DB_SERVER_SIDE_BINDING", default=True):
        _database["OPTIONS"].update(server_side_binding=True, prepare_threshold=5)
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (rate limits live here) --------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "applianceops"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
            },
        }
    }
else:
    # The embedded mode is one process, where the local-memory cache is shared by every thread.
    # With several workers REDIS_URL is required (check --deploy warns when DEBUG is off).
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Rate limits on the booking doors (booking/ratelimits.py). Scheduler accounts have their own.
PUBLIC_REQUESTS_PER_HOUR = env_int("PUBLIC_REQUESTS_PER_HOUR", default=100, minimum=1)
PUBLIC_BOOKINGS_PER_HOUR = env_int("PUBLIC_BOOKINGS_PER_HOUR", default=5, minimum=1)

# --- Auth, i18n, static -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username + address is refused before any password is checked.
    "applianceops.auth_backends.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Sign-in lockout (django-axes) for the admin and the scheduler portal: repeated failures lock
# one username from one address; another username or another address can still sign in.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = dt.timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", default=15, minimum=1))
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "applianceops.lib.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "applianceops.views.locked_out"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

PHONENUMBER_DEFAULT_REGION = "US"

# --- E-mail -------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    # Development: one line per e-mail in the terminal, the message itself in EMAIL_FILE_PATH.
    "applianceops.mail.FolderEmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", default=25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "sent-emails"))
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", default=15, minimum=1)
# How long a worker may hold an e-mail it claimed before another takes it over (the worker is
# presumed dead). A send is a dozen SMTP steps at most, each bounded by EMAIL_TIMEOUT.
EMAIL_LEASE_SECONDS = env_int(
    "EMAIL_LEASE_SECONDS", default=max(600, EMAIL_TIMEOUT * 12), minimum=EMAIL_TIMEOUT * 12
)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ApplianceOps <bookings@applianceops.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# The public address of this site, for links in e-mails (no request is at hand there).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Where seed_demo keeps the demo partner's key between runs (git-ignored; only its hash is in
# the database), so a key saved from the first `make run` keeps working on the next.
DEMO_PARTNER_KEY_FILE = env_str("DEMO_PARTNER_KEY_FILE", str(BASE_DIR / ".demo-partner-key"))

# --- Background tasks --------------------------------------------------------------------
# E-mails go through Django's tasks framework (the django-tasks backport on Django 5.2) with a
# queue in the database: `manage.py db_worker` runs them. See README "E-mails and background work".
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# --- Webhooks ------------------------------------------------------------------------------
# Lets webhook endpoints be plain http on this machine or the local network, for development
# and tests. Never in production: an endpoint could then reach internal services (SSRF).
WEBHOOK_ALLOW_LOCAL = env_bool("WEBHOOK_ALLOW_LOCAL", default=False)
if WEBHOOK_ALLOW_LOCAL and not DEBUG:
    raise ImproperlyConfigured(
        "WEBHOOK_ALLOW_LOCAL=true is for development only: not with DEBUG off."
    )

# --- Security (production turns these on by DEBUG=0) --------------------------------------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if NUM_PROXIES:
    # A proxy that terminates TLS tells us the original scheme.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if not SECURE_SSL_REDIRECT and not DEBUG:
    # Behind a TLS-terminating proxy that redirects for us; tell check --deploy we know.
    SILENCED_SYSTEM_CHECKS.append("security.W008")

# --- API ----------------------------------------------------------------------------------
# Request bodies above this many bytes get a 413: a booking is well under 16 KB.
API_MAX_BODY_BYTES = env_int("API_MAX_BODY_BYTES", default=64 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# How long an Idempotency-Key's answer is kept for replays (booking/idempotency.py).
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", default=24, minimum=1)

REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        # DRF's JSONParser and FormParser, read strictly (applianceops/api_parsers.py).
        "applianceops.api_parsers.StrictJSONParser",
        "applianceops.api_parsers.StrictFormParser",
    ],
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "EXCEPTION_HANDLER": "applianceops.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}

# The OpenAPI document at /api/schema; people read /api/docs.
SPECTACULAR_SETTINGS = {
    "TITLE": "ApplianceOps Partner Booking API",
    "DESCRIPTION": "Send bookings into an ApplianceOps shop's dispatch calendar. Guide: /api/docs",
    "VERSION": "1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "booking.api_schema.contract_paths",
    ],
    # One name for the am/pm windows wherever they appear (time_slot, window).
    "ENUM_NAME_OVERRIDES": {"WindowEnum": "booking.api_schema.WINDOWS"},
}

LOG_LEVEL = env_choice(
    "LOG_LEVEL", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(levelname)s %(name)s: %(message)s"}},
    # The task queue's RUNNING / SUCCESSFUL lines (two per e-mail) only at DEBUG.
    "filters": {"task_chatter": {"()": "applianceops.lib.log_filters.TaskChatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": [] if LOG_LEVEL == "DEBUG" else ["task_chatter"],
        }
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own loggers (django.request's 4xx warnings and 5xx errors, security, ...)
        # follow LOG_LEVEL too and print once, through the root handler: Django's default
        # config gives them a level of their own and a second console handler when DEBUG is on.
        # django.server (runserver's request lines) keeps Django's default.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
    },
}
