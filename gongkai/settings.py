"""The one settings module. Every deployment value comes from the environment.

SQLite is the default (embedded, for the demo and development); ``DATABASE_URL`` switches to
PostgreSQL, the production database. A production run (``DEBUG`` off) refuses to start without a
real ``SECRET_KEY``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false, yes/no, on/off)")


def env_list(name: str, default: str = "") -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DEBUG = env_bool("DEBUG", False)

# A key is "real" when it is long and not one of the well-known placeholders.
_INSECURE_KEYS = {"", "changeme", "secret", "django-insecure", "dev"}
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if DEBUG and not SECRET_KEY:
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production"
elif SECRET_KEY.lower() in _INSECURE_KEYS or len(SECRET_KEY) < 32 or SECRET_KEY.startswith("django-insecure"):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 32 characters when DEBUG is off "
        "(generate one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'). "
        "For local development set DEBUG=1 instead."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "gongkai.core",
    "gongkai.registry",
    "gongkai.inspectors",
    "gongkai.inspections",
    "gongkai.penalties",
    "gongkai.policies",
    "gongkai.portal",
    "gongkai.disclosure",
    "gongkai.search",
    "gongkai.interaction",
    "gongkai.stats",
    "gongkai.opendata",
    # The open-data API (/api/v1/); "ninja" serves the interactive page from its bundled static files.
    "ninja",
    "gongkai.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL (%00) in the path or a query parameter: 400 (422 for the API) before any view runs.
    "gongkai.core.middleware.RejectNulMiddleware",
    # /api/ only: per-client rate limit, CORS for reads, ETag/Last-Modified with 304 (gongkai.api).
    "gongkai.api.middleware.OpenDataMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware, except that only the site's language switch (a cookie) chooses
    # English; the browser's Accept-Language does not (ADR 0060).
    "gongkai.portal.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns locked-out logins into a clear 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gongkai.urls"
WSGI_APPLICATION = "gongkai.wsgi.application"

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
                "django.template.context_processors.i18n",
                "gongkai.portal.context_processors.bureau",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
VAR_DIR = Path(os.environ.get("GONGKAI_VAR_DIR", PROJECT_DIR / "var"))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'gongkai.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "600")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] != ":memory:":
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets readers (the site) work while an import writes; IMMEDIATE avoids lock upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("GONGKAI_SQLITE_TEST_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ["REDIS_URL"],
    }
    if os.environ.get("REDIS_URL")
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}

# --- Authentication -------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "staff-login"
LOGIN_REDIRECT_URL = "staff-home"
LOGOUT_REDIRECT_URL = "portal-home"
# Login throttling: after AXES_FAILURE_LIMIT failures for one username from one address the
# account is locked for AXES_COOLOFF_TIME hours.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.5"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "core/lockout.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
# Chinese msgids; the English catalogue is gongkai/locale/en (docs/operations.md, "Translations").
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switch (portal.views.preferences) remembers English for a year, like the display modes.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
USE_I18N = True
USE_TZ = True  # stored in UTC
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")  # shown in Asia/Shanghai

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "staticfiles"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads (import files, reports, attachments) live outside the web root and are served only
# through views that check permissions; MEDIA_URL is deliberately not routed.
MEDIA_ROOT = Path(os.environ.get("GONGKAI_PRIVATE_ROOT", VAR_DIR / "private"))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
GONGKAI_IMPORT_MAX_BYTES = int(os.environ.get("GONGKAI_IMPORT_MAX_BYTES", str(200 * 1024 * 1024)))

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY") else None

# --- E-mail (Django 6.1 mailers; SMTP settings from the environment) ------------------------
_smtp_options = {
    "host": os.environ.get("EMAIL_HOST", "localhost"),
    "port": int(os.environ.get("EMAIL_PORT", "25")),
    "username": os.environ.get("EMAIL_HOST_USER", ""),
    "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS"),
}
_mail_backend = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
MAILERS = {
    "default": {
        "BACKEND": _mail_backend,
        "OPTIONS": _smtp_options if _mail_backend.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "noreply@gongkai.invalid")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- Gongkai --------------------------------------------------------------------------------
# The city this deployment serves (GB/T 2260 code of the prefecture-level city).
GONGKAI_CITY_CODE = os.environ.get("GONGKAI_CITY_CODE", "371500")
GONGKAI_BUREAU_NAME = os.environ.get("GONGKAI_BUREAU_NAME", "聊城市市场监督管理局")

# --- Open-data API (gongkai.api, docs/api.md) --------------------------------------------------
# Requests per client address per window; 0 turns the limit off. The counters live in the default
# cache: set REDIS_URL in production so every worker shares them (locmem counts per process).
GONGKAI_API_RATE_LIMIT = int(os.environ.get("GONGKAI_API_RATE_LIMIT", "600"))
GONGKAI_API_RATE_WINDOW = int(os.environ.get("GONGKAI_API_RATE_WINDOW", "60"))
# The entity list's query runs as a prepared statement on PostgreSQL (ADR 0053); set 0 behind a
# connection pooler in transaction mode that does not keep prepared statements.
GONGKAI_API_PREPARE = os.environ.get("GONGKAI_API_PREPARE", "1") == "1"

# --- Open data (gongkai.opendata) -----------------------------------------------------------
# Where the daily files are written and served from, and how many days of versions are kept.
GONGKAI_OPENDATA_DIR = Path(os.environ.get("GONGKAI_OPENDATA_DIR", VAR_DIR / "opendata"))
GONGKAI_OPENDATA_KEEP_DAYS = int(os.environ.get("GONGKAI_OPENDATA_KEEP_DAYS", "30"))
# The site's public address, for absolute links in the files and in alert mails.
GONGKAI_SITE_URL = os.environ.get("GONGKAI_SITE_URL", "http://127.0.0.1:8000")
