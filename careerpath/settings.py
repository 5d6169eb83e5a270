"""Settings for CareerPath, read from the environment.

Development needs no variables at all. Production is ``DJANGO_DEBUG=0`` (the default when
``DJANGO_DEBUG`` is unset is development) and then refuses to start without a secret key
and the allowed hosts.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def require_env(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must be set when DJANGO_DEBUG is off.")
    return value


DEBUG = env_bool("DJANGO_DEBUG", default=True)

if DEBUG:
    SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-development-only-key"
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or ["localhost", "127.0.0.1", "[::1]", "testserver"]
else:
    SECRET_KEY = require_env("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("ALLOWED_HOSTS must be set when DJANGO_DEBUG is off.")

CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "django_tasks_db",
    "crontask",
    "tracker",
]

# GZip compresses pages (static files are pre-compressed by whitenoise); since Django 4.2 it
# pads responses with random bytes against BREACH, and CSRF tokens are masked per request.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.gzip.GZipMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # Django's, with the user read together with the session row (tracker.auth).
    "tracker.auth.AuthenticationMiddleware",
    # Logged-in pages are not cached; unreadable input is the 400 page (tracker.middleware).
    "tracker.middleware.PrivatePagesMiddleware",
    "tracker.middleware.BadInputMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "careerpath.urls"

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
                "django.template.context_processors.csp",
                "tracker.context_processors.attention",
            ],
        },
    },
]

WSGI_APPLICATION = "careerpath.wsgi.application"

# SQLite is tuned for a web server with concurrent requests: a busy timeout instead of
# "database is locked", write transactions that take the lock up front, and WAL so that
# readers never wait for a writer.
SQLITE_OPTIONS = {
    "timeout": 20,
    "transaction_mode": "IMMEDIATE",
    "init_command": ("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"),
}
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
else:
    # A server that never answers must not hold a thread for ever: give up connecting
    # after DB_CONNECT_TIMEOUT seconds, and have the server cancel any statement that
    # runs longer than DB_STATEMENT_TIMEOUT_MS.
    DATABASES["default"]["OPTIONS"] = {
        "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "3")),
        "options": f"-c statement_timeout={int(os.environ.get('DB_STATEMENT_TIMEOUT_MS', '5000'))}",
        **DATABASES["default"].get("OPTIONS", {}),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "tracker.auth.ProfileModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tracker:dashboard"
LOGOUT_REDIRECT_URL = "tracker:landing"

# Brute-force protection: lock a username+IP pair after five failures, for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_ENABLED = env_bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "tracker.limits.client_ip"

# Behind N reverse proxies that each append to X-Forwarded-For, the client is the N-th
# address from the right; with 0 (the default) it is the connection's own address, and no
# header a client can send is believed.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

# Limits (count, seconds), each multiplied by LIMITS_FACTOR: raise it for load tests and
# test suites that sign up many people from one address (tracker.limits).
LIMITS_FACTOR = float(os.environ.get("LIMITS_FACTOR", "1"))
LIMITS = {
    "password_reset_per_address": (3, 60 * 60),
    "password_reset_per_client": (10, 60 * 60),
    "sign_up_per_client": (10, 60 * 60),
    "invitations_per_inviter": (10, 24 * 60 * 60),
    "invitations_per_invitee": (3, 24 * 60 * 60),
}

# Pages are cached under keys made of versions, never invalidated (tracker.caching), so a
# cache per process is correct; with REDIS_URL every process shares one. The limits need a
# cache that all processes share: Redis, or else a table in the database.
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
PAGE_CACHE_TIMEOUT = 24 * 60 * 60
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "careerpath",
            "TIMEOUT": PAGE_CACHE_TIMEOUT,
        },
        "limits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "careerpath-limits",
        },
    }
    SESSION_ENGINE = "tracker.sessions.cached"
    # One scheduler at a time (tracker.tasks' jobs are safe to run twice anyway).
    CRONTASK = {"REDIS_URL": REDIS_URL}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "TIMEOUT": PAGE_CACHE_TIMEOUT,
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "2000"))},
        },
        "limits": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "careerpath_limits",
        },
    }
    # Database sessions, each read with its user by a prepared statement.
    SESSION_ENGINE = "tracker.sessions"

# Side effects (mail) are tasks stored in the database, in the transaction of the change
# that causes them, and run by `manage.py db_worker` (tracker.tasks).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
MAIL_MAX_ATTEMPTS = int(os.environ.get("MAIL_MAX_ATTEMPTS", "6"))
MAIL_RETRY_BASE_SECONDS = float(os.environ.get("MAIL_RETRY_BASE_SECONDS", "30"))
# An invitation link (tracker.rules.invitation_links) works for this many days after it
# was sent; the invitation itself stays pending until answered or withdrawn.
INVITATION_MAX_AGE_DAYS = int(os.environ.get("INVITATION_MAX_AGE_DAYS", "14"))
# A task still "running" this long after it started lost its worker (killed): run it again.
TASK_LEASE_SECONDS = int(os.environ.get("TASK_LEASE_SECONDS", "600"))
# /healthz reports the queue as stuck when its oldest waiting task is older than this.
TASK_QUEUE_MAX_AGE_SECONDS = int(os.environ.get("TASK_QUEUE_MAX_AGE_SECONDS", "900"))
# Login records, finished tasks, sent mail and job runs are removed after this many days.
RECORDS_KEPT_DAYS = int(os.environ.get("RECORDS_KEPT_DAYS", "30"))
# A question or review request unanswered this long is flagged to the mentor, and the
# learner is offered another mentor.
REVIEW_OVERDUE_DAYS = int(os.environ.get("REVIEW_OVERDUE_DAYS", "7"))
# How long a new message waits before its mail, so that a burst of them makes one mail.
MESSAGE_MAIL_DELAY_SECONDS = int(os.environ.get("MESSAGE_MAIL_DELAY_SECONDS", "300"))
# Events per page of a mentee's timeline.
TIMELINE_PAGE_SIZE = int(os.environ.get("TIMELINE_PAGE_SIZE", "50"))

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
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

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Django 6.1 mailers: SMTP when EMAIL_HOST is set, otherwise mail is printed to the console.
if os.environ.get("EMAIL_HOST"):
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": os.environ["EMAIL_HOST"],
                "port": int(os.environ.get("EMAIL_PORT", "587")),
                "username": os.environ.get("EMAIL_HOST_USER", ""),
                "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                "timeout": 10,
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "CareerPath <noreply@localhost>")

# Every script and style comes from our own static files: no inline code at all.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_HTTPONLY = True

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    # A load balancer's health probe often speaks plain HTTP to the app itself.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = 31_536_000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # The scheduler logs every run of every job; its warnings and errors are enough.
        "apscheduler": {"level": "WARNING"},
        # `db_worker` adds a handler of its own: without this, each line shows twice.
        "django_tasks_db": {"propagate": False},
    },
}

# Links in mail: the address the site is reached at, e.g. https://careerpath.example.
SITE_URL = (
    os.environ.get("SITE_URL", "").strip() or "http://127.0.0.1:8000"
    if DEBUG
    else require_env("SITE_URL")
).rstrip("/")
