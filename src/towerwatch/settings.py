"""Django settings for TowerWatch.

Every value comes from the environment through the typed helpers below; nothing else is read.
`DATABASE_URL` switches from the embedded SQLite database to PostgreSQL.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent.parent


def env_str(name: str, default: str = "") -> str:
    """A string from the environment."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """A boolean from the environment: 1/true/yes/on are true."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    """An integer from the environment."""
    value = os.environ.get(name)
    return default if value in (None, "") else int(value)


def env_secret(name: str, default: str = "") -> str:
    """A secret from `<NAME>`, or from the file named by `<NAME>_FILE` (container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


DATA_DIR = Path(env_str("TOWERWATCH_DATA_DIR", str(PROJECT_DIR / "var")))

DEBUG = env_bool("TOWERWATCH_DEBUG", False)
# The embedded default (127.0.0.1 only) works without configuration; a deployment sets its own
# key, and system check towerwatch.E001 refuses the built-in one when DEBUG is off and the
# server listens beyond loopback.
INSECURE_DEFAULT_KEY = "towerwatch-insecure-development-key-change-me"
SECRET_KEY = env_secret("TOWERWATCH_SECRET_KEY", INSECURE_DEFAULT_KEY)
ALLOWED_HOSTS = [
    h for h in env_str("TOWERWATCH_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [o for o in env_str("TOWERWATCH_CSRF_TRUSTED_ORIGINS").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "towerwatch.core",
    "towerwatch.rules",
    "towerwatch.accounts",
    "towerwatch.organizations",
    "towerwatch.buildings",
    "towerwatch.monitoring",
    "towerwatch.notifications",
    "towerwatch.hazards",
    "towerwatch.inspections",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "towerwatch.core.middleware.RequestContextMiddleware",
]

ROOT_URLCONF = "towerwatch.urls"
WSGI_APPLICATION = "towerwatch.wsgi.application"
ASGI_APPLICATION = "towerwatch.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "towerwatch.core.context_processors.towerwatch",
            ],
        },
    },
]

_default_sqlite = f"sqlite:///{DATA_DIR / 'towerwatch.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_sqlite), conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE avoids lock upgrades mid-transaction.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            "PRAGMA busy_timeout=20000; PRAGMA cache_size=-64000;"
        ),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TOWERWATCH_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "towerwatch.core.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "towerwatch.core.pagination.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "TowerWatch API",
    "DESCRIPTION": "高层建筑消防安全管理平台 — REST API. Every answer is scoped to the caller's organization.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/favicon.svg",
}

# Map: tile URL template (empty = no tiles; region boundaries are drawn instead) and the
# coordinate system the tile layer expects (wgs84, or gcj02 for Chinese commercial tiles).
TOWERWATCH_MAP_TILE_URL = env_str("TOWERWATCH_MAP_TILE_URL", "")
TOWERWATCH_MAP_TILE_CRS = env_str("TOWERWATCH_MAP_TILE_CRS", "wgs84")
TOWERWATCH_MAP_ATTRIBUTION = env_str("TOWERWATCH_MAP_ATTRIBUTION", "")
# Public base URL printed in QR codes (the address residents reach from their phones).
TOWERWATCH_PUBLIC_URL = env_str("TOWERWATCH_PUBLIC_URL", "http://127.0.0.1:8000")
TOWERWATCH_DISTRICT_CODE = env_str("TOWERWATCH_DISTRICT_CODE", "500116")
# GB/T 26875.3 listener of `towerwatch worker` / `towerwatch run` (host:port).
TOWERWATCH_GB26875_LISTEN = env_str("TOWERWATCH_GB26875_LISTEN", "127.0.0.1:9026")
# MQTT broker of the IoT sensors (host:port); empty disables MQTT ingestion.
TOWERWATCH_MQTT_BROKER = env_str("TOWERWATCH_MQTT_BROKER", "")
TOWERWATCH_MQTT_PREFIX = env_str("TOWERWATCH_MQTT_PREFIX", "towerwatch/v1")
# Where a confirmed fire is forwarded (the 119 command centre's receiving webhook); empty: none.
TOWERWATCH_FIRE_WEBHOOK_URL = env_str("TOWERWATCH_FIRE_WEBHOOK_URL", "")
# Window of the false-alarm rate per building (days; pages may ask for another with ?days=).
TOWERWATCH_FALSE_ALARM_WINDOW_DAYS = env_int("TOWERWATCH_FALSE_ALARM_WINDOW_DAYS", 90)
# Days received frames, events and readings are kept (at least 365: GB 50440-2007 §3.0.2-5,
# rule monitoring.record_retention_days_min; TowerWatch refuses to start with less).
TOWERWATCH_RETENTION_DAYS = env_int("TOWERWATCH_RETENTION_DAYS", 400)
TOWERWATCH_RETENTION_BATCH = env_int("TOWERWATCH_RETENTION_BATCH", 2000)
# PostgreSQL: the console stream listens for NOTIFY and re-reads the case timeline this often
# (seconds) besides, in case a notification was missed while reconnecting.
TOWERWATCH_STREAM_SAFETY_POLL_S = env_int("TOWERWATCH_STREAM_SAFETY_POLL_S", 5)
# SQLite (no NOTIFY): how often a web process reads the newest case-timeline id for its
# consoles (one indexed read per process, not per console).
TOWERWATCH_STREAM_POLL_MS = env_int("TOWERWATCH_STREAM_POLL_MS", 50)
# Minutes a control room has to answer a duty check asked from a device's page.
TOWERWATCH_DUTY_CHECK_TIMEOUT_MIN = env_int("TOWERWATCH_DUTY_CHECK_TIMEOUT_MIN", 10)
TOWERWATCH_GC_THRESHOLD = env_int("TOWERWATCH_GC_THRESHOLD", 50_000)
# Notifications (docs/notifications.md): per-recipient rate limit and digest window, reminders
# until acknowledged, signed acknowledgement links, delivery timeout and give-up age.
TOWERWATCH_NOTIFY_RATE_PER_MINUTE = env_int("TOWERWATCH_NOTIFY_RATE_PER_MINUTE", 10)
TOWERWATCH_NOTIFY_DIGEST_WINDOW_S = env_int("TOWERWATCH_NOTIFY_DIGEST_WINDOW_S", 60)
TOWERWATCH_NOTIFY_REMIND_EVERY_S = env_int("TOWERWATCH_NOTIFY_REMIND_EVERY_S", 300)
TOWERWATCH_NOTIFY_REMINDERS = env_int("TOWERWATCH_NOTIFY_REMINDERS", 3)
TOWERWATCH_NOTIFY_ACK_MAX_AGE_H = env_int("TOWERWATCH_NOTIFY_ACK_MAX_AGE_H", 72)
TOWERWATCH_NOTIFY_TIMEOUT_S = env_int("TOWERWATCH_NOTIFY_TIMEOUT_S", 5)
TOWERWATCH_NOTIFY_GIVE_UP_H = env_int("TOWERWATCH_NOTIFY_GIVE_UP_H", 72)
# E-mail notifications go through Django's SMTP backend.
EMAIL_BACKEND = env_str("TOWERWATCH_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("TOWERWATCH_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("TOWERWATCH_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("TOWERWATCH_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = env_secret("TOWERWATCH_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("TOWERWATCH_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("TOWERWATCH_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("TOWERWATCH_EMAIL_TIMEOUT_S", 10)
DEFAULT_FROM_EMAIL = env_str("TOWERWATCH_EMAIL_FROM", "towerwatch@localhost")
TOWERWATCH_IMPORT_MAX_ROWS = env_int("TOWERWATCH_IMPORT_MAX_ROWS", 20000)
TOWERWATCH_PHOTO_MAX_BYTES = env_int("TOWERWATCH_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
TOWERWATCH_IMPORT_MAX_BYTES = env_int("TOWERWATCH_IMPORT_MAX_BYTES", 20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = TOWERWATCH_IMPORT_MAX_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Public hazard reports (issue 4 §7): accepted reports per sender, "count/period" pairs with the
# period in s, m, h or d; photos per report; the reward cap in yuan; the request header holding
# the client address behind a reverse proxy (e.g. HTTP_X_FORWARDED_FOR; empty: REMOTE_ADDR).
TOWERWATCH_REPORT_LIMIT_IP = env_str("TOWERWATCH_REPORT_LIMIT_IP", "5/h,20/d")
TOWERWATCH_REPORT_LIMIT_PHONE = env_str("TOWERWATCH_REPORT_LIMIT_PHONE", "3/h,10/d")
TOWERWATCH_REPORT_MAX_PHOTOS = env_int("TOWERWATCH_REPORT_MAX_PHOTOS", 4)
TOWERWATCH_REPORT_REWARD_MAX_YUAN = env_int("TOWERWATCH_REPORT_REWARD_MAX_YUAN", 5000)
TOWERWATCH_REPORT_CLIENT_IP_HEADER = env_str("TOWERWATCH_REPORT_CLIENT_IP_HEADER", "")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("TOWERWATCH_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# Behind HTTPS (a TLS-terminating proxy): redirect plain HTTP and tell browsers to stay on HTTPS.
SECURE_SSL_REDIRECT = env_bool("TOWERWATCH_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("TOWERWATCH_HSTS_SECONDS", 0)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("TOWERWATCH_BEHIND_PROXY") else None
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("TOWERWATCH_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Tests select PostgreSQL with TOWERWATCH_TEST_DATABASE_URL (see Makefile: test-postgres).
_test_db = env_str("TOWERWATCH_TEST_DATABASE_URL")
if _test_db:
    DATABASES["default"] = dj_database_url.parse(_test_db)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles "expensive" plans (a count over 50,000 rows) at a cost of 50–150 ms
    # a query; TowerWatch's queries are short, so it only adds latency.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
