"""Settings for MPS ICT Tracker: one module, configured from the environment.

Every variable is listed in `.env.example`. Development defaults apply only when DEBUG is on;
in production a missing secret stops start-up with a message saying what to set.
"""

import re
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    # Values already in the process environment win over the file.
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))'). "
            "Only a DEBUG=1 development run may start without one."
        )
    SECRET_KEY = "development-only-key-not-for-production-use-0123456789abcdefghij"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "simple_history",
    "axes",
    "mps_ict",
    "savings",
    "portfolio",
    "mobile_assets",
    "contracts",
    "reporting",
    "demo_data",
]

MIDDLEWARE = [
    "mps_ict.middleware.RequestIdMiddleware",
    "mps_ict.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mps_ict.middleware.LoginRequiredMiddleware",
    "mps_ict.middleware.AccessPolicyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "mps_ict.urls"
WSGI_APPLICATION = "mps_ict.wsgi.application"
ASGI_APPLICATION = "mps_ict.asgi.application"

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
                "mps_ict.context_processors.service",
            ],
        },
    },
]

# --- Database: SQLite file by default, PostgreSQL (or any) through DATABASE_URL ---------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis where REDIS_URL is set, else process memory ---------------------------------
REDIS_URL = env("REDIS_URL", default="")
# Under pytest-xdist each worker caches in a Redis database of its own (gw0: 10, gw1: 11, …), so one
# worker's cache.clear() (every test starts with an empty cache) never empties another's. The
# broker and results stay shared: tasks go to queues of their own and results are keyed by task.
_TEST_WORKER = env("PYTEST_XDIST_WORKER", default="")
CACHE_URL = (
    re.sub(r"/\d*$", f"/{10 + int(_TEST_WORKER.removeprefix('gw'))}", REDIS_URL)
    if REDIS_URL and _TEST_WORKER.startswith("gw")
    else REDIS_URL
)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication ----------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Repeated failed sign-ins are throttled: after AXES_FAILURE_LIMIT failures for one username from
# one address, that pair is locked out for AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0) or None
AXES_VERBOSE = False

# --- Internationalisation: UK ----------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files: our own static/, the compiled stylesheet and npm packages ----------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("govuk", BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"),
    ("axe-core", BASE_DIR / "node_modules" / "axe-core"),
    # plotly.js as shipped inside the plotly wheel from PyPI (no CDN)
    ("plotly", Path(__import__("plotly").__file__).parent / "package_data"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=DEBUG)
# Served straight from the sources, files are looked up when asked for, not all scanned whenever
# a handler starts (every test client starts one).
WHITENOISE_AUTOREFRESH = WHITENOISE_USE_FINDERS

# --- Security: strict unless DEBUG; SSL redirect can be switched off behind a TLS proxy -------
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_REFERRER_POLICY = "same-origin"
if env.bool("BEHIND_TLS_PROXY", default=False):
    # The proxy terminates TLS and tells us so; trust its header only when configured to.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Email: console in development --------------------------------------------------------
# EMAIL_URL like smtp+tls://user:password@mail.example.org:587; console output by default.
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="mps-ict-tracker@localhost")
# Where the service is reached: links in emails (the monthly board summary) start with it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

# --- Contract alerts (issue 17 part 3) ---------------------------------------------------------
# Which contract events the board overview and its monthly email list as due: "quarter" (from the
# day to the end of its UK financial quarter) or a number of days, 1 to 366. A bad value stops
# start-up with a message naming the variable (the page's own ?window= is checked by its form).
_ALERT_WINDOW = env("CONTRACT_ALERT_WINDOW", default="quarter").strip().lower()
if _ALERT_WINDOW == "quarter":
    CONTRACT_ALERT_WINDOW: str | int = "quarter"
elif _ALERT_WINDOW.isdigit() and 1 <= int(_ALERT_WINDOW) <= 366:
    CONTRACT_ALERT_WINDOW = int(_ALERT_WINDOW)
else:
    raise ImproperlyConfigured(
        f'CONTRACT_ALERT_WINDOW must be "quarter" or a number of days from 1 to 366, not "{_ALERT_WINDOW}".'
    )
# An event's owner is emailed once when it falls due within this many days (1 to 366).
_REMINDER_DAYS = env("CONTRACT_REMINDER_DAYS", default="30").strip()
if not (_REMINDER_DAYS.isdigit() and 1 <= int(_REMINDER_DAYS) <= 366):
    raise ImproperlyConfigured(
        f'CONTRACT_REMINDER_DAYS must be a number of days from 1 to 366, not "{_REMINDER_DAYS}".'
    )
CONTRACT_REMINDER_DAYS = int(_REMINDER_DAYS)

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so an anonymous request is answered 401 with a WWW-Authenticate header.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["mps_ict.access.PolicyPermission"],
    "DEFAULT_PAGINATION_CLASS": "mps_ict.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["mps_ict.api.filtering.FilterBackend"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
        "mps_ict.api.renderers.CSVRenderer",
        "mps_ict.api.renderers.XLSXRenderer",
    ],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "mps_ict.api.negotiation.ContentNegotiation",
    "DEFAULT_SCHEMA_CLASS": "mps_ict.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "mps_ict.api.errors.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_THROTTLE_RATES": {},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "MPS ICT Tracker API",
    "DESCRIPTION": (
        "Read the ICT savings plan, the capital portfolio and the mobile device estate. "
        "Amounts are pounds as decimal strings; financial years are written 2014/15. "
        "Authenticate with `Authorization: Token <key>` or a signed-in session."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["mps_ict.access.PolicyPermission"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # one name for the Delivery Confidence ratings, whether a status update's or an assessment's
    "ENUM_NAME_OVERRIDES": {
        "DcaRatingEnum": "portfolio.choices.DcaRating",
        "ContractEventStatusEnum": "contracts.choices.EventStatus",
    },
}

# --- Celery: eager in-process unless a broker is configured ---------------------------------
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
CELERY_RESULT_EXPIRES = timedelta(days=1)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# The audit trail's reason for a change is text of any length: a user's reason, and the words a
# service writes (what now depends on a contract event, say), often run past 100 characters, which a
# varchar(100) refused on PostgreSQL.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# The beat schedule is defined here in code; django-celery-beat stores it in the database when
# beat starts (and `manage.py sync_beat_schedule` stores it without starting beat).
CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": {
        "task": "mps_ict.ping",
        "schedule": timedelta(minutes=5),
        "options": {"expires": 240},
    },
    "portfolio-nightly-snapshot": {
        "task": "portfolio.snapshot",
        "schedule": crontab(hour=1, minute=30),
    },
    "mobile-benefit-rollup": {
        # Monthly, for the month just ended (idempotent: a re-run gives identical rows)
        "task": "mobile_assets.benefit_rollup",
        "schedule": crontab(day_of_month=2, hour=2, minute=0),
    },
    "board-monthly-summary": {
        # The board's summary email on the first working morning of the month (once a month)
        "task": "reporting.board_summary",
        "schedule": crontab(day_of_month=1, hour=7, minute=0),
    },
    "portfolio-status-reminders": {
        # Daily from the 10th: the service sends each overdue reminder once
        "task": "portfolio.status_reminders",
        "schedule": crontab(hour=9, minute=0),
    },
    "savings-actual-reminders": {
        # Daily: the service reminds finance once a quarter of the last quarter's missing actuals
        "task": "savings.actual_reminders",
        "schedule": crontab(hour=9, minute=15),
    },
    "contracts-event-reminders": {
        # Daily: each planned contract event's owner is emailed once per date, CONTRACT_REMINDER_DAYS before
        "task": "contracts.event_reminders",
        "schedule": crontab(hour=9, minute=30),
    },
}

# --- Logging: one line per request to stdout --------------------------------------------------
LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "mps_ict.request_context.RequestIdLogFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "plain",
            "filters": ["request_id"],
        },
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Our request log replaces runserver's own access lines.
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        "django.request": {"level": "ERROR"},
        "axes": {"level": "WARNING"},
    },
}

# --- Service presentation ---------------------------------------------------------------------
SERVICE_NAME = "MPS ICT Tracker"
ENVIRONMENT_NAME = env("ENVIRONMENT_NAME", default="development" if DEBUG else "production")
