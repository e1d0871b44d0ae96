"""Settings for Vetted, all read from the environment (12-factor).

With no environment at all this is the embedded default: a SQLite file under
``var/``, a local-memory cache, and Celery on a file-system transport so that a
worker process still delivers background work. ``DATABASE_URL`` and
``REDIS_URL`` switch the same code to PostgreSQL and Redis.
"""

import os
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VETTED_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
# A fixed key is only acceptable for the local demo; production sets SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY", "vetted-insecure-local-demo-key-change-me-in-production")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "accounts",
    "audit",
    "outbox",  # the outbox that email and webhooks send through
    "articles",
    "reviews",
    "notifications",
    "django.contrib.sitemaps",
    "site_content",
    "public",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "api",
    "desk",  # the staff screens (/desk/)
    "webhooks",
    "demo",  # manage.py seed_demo
    "bench",  # manage.py seed_bench
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Remembers each staff request's time in the session: signing an approval needs a fresh one.
    "reviews.middleware.LastActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                # Lazy: the count is only queried where a staff template shows it.
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# An empty value (``DATABASE_URL= make test``) means "not set", as it does for REDIS_URL.
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'vetted.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"].setdefault("OPTIONS", {})
    if env_bool("DB_POOL", False):
        # psycopg 3's pool; persistent connections (CONN_MAX_AGE) must stay off with it.
        DATABASES["default"]["OPTIONS"]["pool"] = {"min_size": 2, "max_size": 8}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing at once with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Django's Redis backend, reusing its redis-py client (see config/cache.py for why).
    CACHES = {"default": {"BACKEND": "core.cache.ReusingRedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Without collectstatic (make run, tests) WhiteNoise finds files where they live;
# production runs collectstatic and may turn this off.
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", True)

LOGIN_URL = "/accounts/login/"
# Sends each person to their own starting page (editors: their articles; others: the inbox).
LOGIN_REDIRECT_URL = "accounts:start"

# Django 6.1's MAILERS, filled from the EMAIL_* environment variables. The
# default writes each message as a file under var/mail/ so the demo needs no SMTP.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
_mailer_options: dict = {}
if EMAIL_BACKEND.endswith("filebased.EmailBackend"):
    _mailer_options["file_path"] = os.environ.get("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
elif EMAIL_BACKEND.endswith("smtp.EmailBackend"):
    _mailer_options = {
        "host": os.environ.get("EMAIL_HOST", "localhost"),
        "port": int(os.environ.get("EMAIL_PORT", "25")),
        "username": os.environ.get("EMAIL_HOST_USER", ""),
        "password": os.environ.get("EMAIL_HOST_PASSWORD", ""),
        "use_tls": env_bool("EMAIL_USE_TLS", False),
        "timeout": 10,
    }
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND, "OPTIONS": _mailer_options}}
del EMAIL_BACKEND
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Vetted <no-reply@vetted.local>")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# Security headers that do not depend on DEBUG.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# Behind HTTPS (SECURE_COOKIES=1 in production): tell browsers to use HTTPS only from now on.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000" if SESSION_COOKIE_SECURE else "0"))
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # Only behind a proxy that sets this header itself (otherwise any client could claim HTTPS).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Every page is served with this policy (Django's ContentSecurityPolicyMiddleware): scripts and
# styles only from our own static files, so no inline <script>, style="" or on*="" handler runs.
# JSON-LD blocks (type="application/ld+json") are data, not scripts, and are unaffected.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# --- Celery -----------------------------------------------------------------
# Without Redis, a file-system transport under var/ lets a real worker process
# (started by `make run`) pick up the work: nothing runs "eagerly" in-request.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS: dict = {}
if not REDIS_URL:
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # Otherwise kombu writes its exchange table to ./control in the working directory.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
else:
    # A task not acknowledged within the visibility timeout is handed to another worker.
    # It is longer than any countdown we use (at most a minute); far-future work comes
    # from the periodic scans, never from long ETAs, which Redis would redeliver.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600")),
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Queuing happens after commit, in the web request: with the broker down, give up
# within about a second and leave the row to the sweeper instead of hanging the request.
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
CELERY_WORKER_SEND_TASK_EVENTS = False
# Celery's Django fixup otherwise closes the database connection after every task, and a
# new PostgreSQL connection costs more than sending the email: keep it for this many tasks.
CELERY_DB_REUSE_MAX = int(os.environ.get("CELERY_DB_REUSE_MAX", "200"))

# The beat schedule lives here, in code (django-celery-beat does not support Django 6.1).
# Every periodic task is an idempotent scan over the database; `expires` drops ticks that
# waited in the broker longer than their period (no worker running), rather than piling up.
_DIGEST_HOUR = int(os.environ.get("NOTIFY_DIGEST_HOUR", "7"))
CELERY_BEAT_SCHEDULE = {
    "review-log-sealer": {
        "task": "audit.seal_log",
        "schedule": float(os.environ.get("VETTED_LOG_SEAL_EVERY_SECONDS", "2")),
        # A seal missed is made up by the next one: never let them queue up behind a slow worker.
        "options": {"expires": max(1.0, float(os.environ.get("VETTED_LOG_SEAL_EVERY_SECONDS", "2")))},
    },
    "outbox-sweeper": {"task": "notifications.sweep_outbox", "schedule": 60.0, "options": {"expires": 55}},
    "scheduled-publication": {
        "task": "reviews.publish_scheduled",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    "reminders-and-escalations": {
        "task": "notifications.send_reminders",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "invitation-expiry": {
        "task": "reviews.expire_invitations",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "rereview-due": {
        "task": "notifications.check_rereview_due",
        "schedule": crontab(minute=5),
        "options": {"expires": 55 * 60},
    },
    "webhook-endpoint-health": {
        "task": "webhooks.disable_failing_endpoints",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "daily-digests": {
        "task": "notifications.send_digests",
        "schedule": crontab(hour=_DIGEST_HOUR, minute=0),
        "options": {"expires": 6 * 3600},
    },
}

# --- Editorial policy settings -------------------------------------------------
# Any: a mix of numbers, flags and text, each read where it is used.
VETTED: dict[str, Any] = {
    # Flesch-Kincaid grade above which a patient section draws a warning on submit.
    "PATIENT_READING_GRADE_TARGET": float(os.environ.get("PATIENT_READING_GRADE_TARGET", "8")),
    "DEFAULT_REVIEW_INTERVAL_MONTHS": int(os.environ.get("DEFAULT_REVIEW_INTERVAL_MONTHS", "12")),
    # Signing an approval needs a fresh login once the session has been idle this long.
    "SIGNING_IDLE_MINUTES": int(os.environ.get("SIGNING_IDLE_MINUTES", "15")),
    # Default deadlines: answering a review invitation, and the review itself after accepting.
    "INVITATION_RESPONSE_DAYS": int(os.environ.get("INVITATION_RESPONSE_DAYS", "2")),
    "REVIEW_DAYS": int(os.environ.get("REVIEW_DAYS", "7")),
    # Notifications: a review this many days overdue is escalated to the managing editor
    # (seeds the default reminder rule), and the editor gets this many days to revise.
    "ESCALATE_OVERDUE_DAYS": int(os.environ.get("ESCALATE_OVERDUE_DAYS", "3")),
    "REVISION_DAYS": int(os.environ.get("REVISION_DAYS", "14")),
    "REREVIEW_NOTICE_DAYS": int(os.environ.get("REREVIEW_NOTICE_DAYS", "30")),
    # Outbox: attempts before a row is left failed, first retry delay (doubling each
    # time), and how long a row may sit queued or mid-send before the sweeper re-queues it.
    "NOTIFY_MAX_ATTEMPTS": int(os.environ.get("NOTIFY_MAX_ATTEMPTS", "6")),
    "NOTIFY_RETRY_BASE_SECONDS": float(os.environ.get("NOTIFY_RETRY_BASE_SECONDS", "15")),
    "OUTBOX_STUCK_AFTER_SECONDS": int(os.environ.get("OUTBOX_STUCK_AFTER_SECONDS", "300")),
    # Webhooks (webhooks/): first retry delay (doubling, at most the max delay), how long to
    # keep retrying, after how long of nothing but failures an endpoint is disabled, the
    # request timeout and how much of an answer is kept.
    "WEBHOOK_RETRY_BASE_SECONDS": float(os.environ.get("WEBHOOK_RETRY_BASE_SECONDS", "60")),
    "WEBHOOK_RETRY_MAX_DELAY_SECONDS": float(os.environ.get("WEBHOOK_RETRY_MAX_DELAY_SECONDS", "10800")),
    "WEBHOOK_RETRY_HOURS": float(os.environ.get("WEBHOOK_RETRY_HOURS", "24")),
    "WEBHOOK_DISABLE_AFTER_HOURS": float(os.environ.get("WEBHOOK_DISABLE_AFTER_HOURS", "24")),
    "WEBHOOK_TIMEOUT_SECONDS": float(os.environ.get("WEBHOOK_TIMEOUT_SECONDS", "5")),
    # Web processes remember which version each public article shows between publishes, under
    # a lease of this many seconds (public/pointer_memory.py): a publish waits for every
    # process to forget the old pointer, or at most this long for one that does not answer.
    # 0 turns it off (every request then asks Redis). Needs Redis.
    "POINTER_LEASE_SECONDS": float(os.environ.get("POINTER_LEASE_SECONDS", "3" if REDIS_URL else "0")),
    "WEBHOOK_RESPONSE_BYTES_KEPT": int(os.environ.get("WEBHOOK_RESPONSE_BYTES_KEPT", "500")),
    # Never in production: lets webhooks go to loopback and private addresses, over plain http
    # (the tests' local receiver).
    "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False),
    # Memory each web process may use to keep recently served public article pages (they are
    # also in the shared cache; this saves moving them out of it on every request). 0 turns it off.
    "PUBLIC_PAGE_MEMORY_MB": float(os.environ.get("PUBLIC_PAGE_MEMORY_MB", "64")),
    # Reverse proxies in front of the web processes that append to X-Forwarded-For: the client's
    # address is read that many hops from the right (accounts/client_address.py). 0: the header
    # is ignored and REMOTE_ADDR is the client (a client could otherwise name any address it likes
    # and slip past every per-address limit). Both login limits and the audit trail read it.
    "TRUSTED_PROXIES": int(os.environ.get("VETTED_TRUSTED_PROXIES", "0")),
    # The API's token exchange locks a username (from every address) after this many failed
    # passwords within the window, for this long; 0 failures turns the lock off.
    "API_LOGIN_LOCK_FAILURES": int(os.environ.get("VETTED_API_LOGIN_LOCK_FAILURES", "10")),
    "API_LOGIN_LOCK_WINDOW_MINUTES": float(os.environ.get("VETTED_API_LOGIN_LOCK_WINDOW_MINUTES", "15")),
    "API_LOGIN_LOCK_MINUTES": float(os.environ.get("VETTED_API_LOGIN_LOCK_MINUTES", "15")),
    # An API token stops working this many days after it was made (the owner gets a new one); 0: never.
    "API_TOKEN_DAYS": float(os.environ.get("VETTED_API_TOKEN_DAYS", "90")),
    # The review log (audit/log.py): committed events are sealed into it and a signed checkpoint
    # is written about this often (the beat runs the sealer); its name (default
    # "<SITE_URL host>/review-log") and the Ed25519 key that signs its checkpoints (core/log_key.py:
    # without the variable, a key generated once into the file).
    "LOG_SEAL_EVERY_SECONDS": float(os.environ.get("VETTED_LOG_SEAL_EVERY_SECONDS", "2")),
    "LOG_ORIGIN": os.environ.get("VETTED_LOG_ORIGIN", ""),
    "LOG_SIGNING_KEY": os.environ.get("VETTED_LOG_SIGNING_KEY", ""),
    "LOG_SIGNING_KEY_FILE": os.environ.get(
        "VETTED_LOG_SIGNING_KEY_FILE", str(VAR_DIR / "review-log-signing.key")
    ),
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# --- JSON API (api/) ------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: its "Token" challenge makes unauthenticated calls 401, not 403.
        "api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pagination",
    "PAGE_SIZE": 20,
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.UserThrottle", "api.throttling.AnonThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("VETTED_API_THROTTLE", "120/min"),
        "anon": os.environ.get("VETTED_API_ANON_THROTTLE", "30/min"),
        # Exchanging a password for a token: low, it is where passwords get guessed.
        "login": os.environ.get("VETTED_API_LOGIN_THROTTLE", "10/min"),
    },
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Vetted API",
    "DESCRIPTION": "Push drafts in, follow them through medical review, read what readers see.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    # Swagger UI from our own static files (drf-spectacular-sidecar), never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
    ],
}
