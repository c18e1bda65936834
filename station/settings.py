"""The station's Django settings module (``DJANGO_SETTINGS_MODULE=station.settings``), read from the
environment, so ``bodycam station …``, the WSGI server and ``django-admin`` configure the same station:

- ``BODYCAM_STORE``: the evidence store's folder (default /var/lib/bodycam-station);
- ``BODYCAM_DATABASE``: its database URL (default: ``station.sqlite3`` in the store; ``postgresql://…``
  when several stations share one store);
- ``BODYCAM_SECRET_KEY``: signs sessions and CSRF tokens (default: the store's ``keys/web-secret``, made
  once by the store for itself);
- ``BODYCAM_ALLOWED_HOSTS`` (comma-separated), ``BODYCAM_HTTPS=1`` behind the TLS proxy,
  ``BODYCAM_RETENTION_DAYS`` (14), ``BODYCAM_VIEW_WINDOW_HOURS`` (24) and
  ``BODYCAM_REQUEST_EXPIRY_DAYS`` (7), ``BODYCAM_CASE_RETENTION_DAYS`` (station.case_kinds);
- ``BODYCAM_DOCK_MIN_BATTERY`` (80 %: the least charge to hand a pool camera out) and
  ``BODYCAM_SHIFT_HOURS`` (12: a pool camera out longer is overdue on the dock page),
  ``BODYCAM_ASSIGNMENT_RETENTION_DAYS`` (14: an ended assignment without a recording is then deleted).
- ``BODYCAM_STATUS_RETENTION_DAYS`` (7: the control room's messages from the cameras are then deleted).
- ``BODYCAM_JOB_WORKERS`` (1: redactions made at a time) and ``BODYCAM_JOB_TIMEOUT_S`` (6 h: a job stopped after).

The store's database is Django's ``default``. A process that opens a second store (a test with SQLite and
PostgreSQL side by side) gets a connection of its own for it (``station.database.Database``).
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from station.case_kinds import periods as case_periods
from station.database import database_settings, store_database_url
from station.paths import DEFAULT_STORE, web_secret

PACKAGE = Path(__file__).resolve().parent

BODYCAM_STORE = Path(os.environ.get("BODYCAM_STORE") or DEFAULT_STORE).resolve()
BODYCAM_DATABASE = store_database_url(BODYCAM_STORE)
BODYCAM_RETENTION = timedelta(days=int(os.environ.get("BODYCAM_RETENTION_DAYS", "14")))
"""How long a recording in no hold is kept (NRW §15c PolG: two weeks)."""
BODYCAM_VIEW_WINDOW = timedelta(hours=float(os.environ.get("BODYCAM_VIEW_WINDOW_HOURS", "24")))
"""How long an approved viewing request stays open."""
BODYCAM_CASE_RETENTION = case_periods(os.environ.get("BODYCAM_CASE_RETENTION_DAYS", ""))
"""How long a closed case keeps its recordings, per kind (station.case_kinds)."""
BODYCAM_REQUEST_EXPIRY = timedelta(days=float(os.environ.get("BODYCAM_REQUEST_EXPIRY_DAYS", "7")))
BODYCAM_DOCK_MIN_BATTERY = float(os.environ.get("BODYCAM_DOCK_MIN_BATTERY", "80"))
BODYCAM_SHIFT = timedelta(hours=float(os.environ.get("BODYCAM_SHIFT_HOURS", "12")))
BODYCAM_ASSIGNMENT_RETENTION = timedelta(days=float(os.environ.get("BODYCAM_ASSIGNMENT_RETENTION_DAYS", "14")))
BODYCAM_STATUS_RETENTION = timedelta(days=float(os.environ.get("BODYCAM_STATUS_RETENTION_DAYS", "7")))
"""How long an ended assignment no stored recording needs is kept (staff privacy: evidence, not monitoring)."""
"""How long a request waits for a decision: older, it expires undecided (ask again if still needed)."""

DATABASES = {"default": database_settings(BODYCAM_DATABASE)}
DATABASE_ROUTERS = ["station.router.StoreRouter"]
SECRET_KEY = os.environ.get("BODYCAM_SECRET_KEY") or web_secret(BODYCAM_STORE)
"""Empty when the store has none yet (before ``bodycam station init``): Django then refuses to sign."""

INSTALLED_APPS = [
    "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
    "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles",
    "django_q",  # the job queue (station.jobs); before station, whose admin takes its pages out again
    "station",
    "axes",  # after station: the custody log hears of a failed login before axes counts it
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "station.web.headers.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "station.web.language.ChosenLanguage",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]
ROOT_URLCONF = "station.web.urls"
WSGI_APPLICATION = "station.web.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.template.context_processors.i18n",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "station.web.access.roles_context",
    ]},
}]
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("BODYCAM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
                 if h.strip()]
DEBUG = False
USE_TZ = True
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
LANGUAGE_CODE = "de"
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
LOCALE_PATHS = [str(PACKAGE / "locale")]
STATIC_URL = "/static/"
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True  # static files straight from the package: no collectstatic, no CDN
WHITENOISE_AUTOREFRESH = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher",
                    "django.contrib.auth.hashers.PBKDF2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = 5
"""Wrong passwords for one account from one address before it is locked out there."""
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
"""Per account and address: an attacker locks out only themselves, not the officer at their desk."""
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # logins are custody lines already
AXES_LOCKOUT_CALLABLE = "station.web.throttle.lockout"
AXES_CLIENT_IP_CALLABLE = "station.web.throttle.client_address"
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # unlocking is `django-admin axes_reset_username NAME`, or the cool-off passing
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "recordings"  # station.web.home.StationLoginView lands the kiosk and control room elsewhere
SESSION_COOKIE_AGE = 8 * 3600  # one shift
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
BEHIND_TLS = os.environ.get("BODYCAM_HTTPS", "") == "1"
SESSION_COOKIE_SECURE = BEHIND_TLS
CSRF_COOKIE_SECURE = BEHIND_TLS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS else None
SECURE_HSTS_SECONDS = 365 * 24 * 3600 if BEHIND_TLS else 0
"""Browsers that reached the station over TLS once never fall back to plain HTTP for a year."""
CSRF_FAILURE_VIEW = "station.web.refusals.csrf_failure"
BODYCAM_JOB_WORKERS = int(os.environ.get("BODYCAM_JOB_WORKERS", "1"))
BODYCAM_JOB_TIMEOUT_S = int(os.environ.get("BODYCAM_JOB_TIMEOUT_S", str(6 * 3600)))
Q_CLUSTER = {
    "name": "bodycam", "broker_class": "station.jobs.StoreBroker", "workers": BODYCAM_JOB_WORKERS,
    "timeout": BODYCAM_JOB_TIMEOUT_S, "retry": BODYCAM_JOB_TIMEOUT_S + 60, "max_attempts": 1, "ack_failures": True,
    "save_limit": 100, "poll": 0.5, "catch_up": False, "label": "Aufträge",
}
"""django-q2 on the store's own database (station.jobs): ``BODYCAM_JOB_WORKERS`` jobs at a time (1), each
stopped after ``BODYCAM_JOB_TIMEOUT_S`` (6 h); a job a station restart interrupted starts again."""
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
