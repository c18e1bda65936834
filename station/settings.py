"""Django settings for the station, as a dict: the command line and the web application share them.

The store (and so the database) is chosen at run time (``router.use_store``), not here; the secret key
comes from the store (``keys/web-secret``), so sessions survive a restart and differ between stations.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def settings() -> dict[str, object]:
    hosts = os.environ.get("BODYCAM_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    behind_tls = os.environ.get("BODYCAM_HTTPS", "") == "1"
    return {
        "DATABASES": {"default": {"ENGINE": "django.db.backends.dummy"}},
        "DATABASE_ROUTERS": ["station.web.router.StoreRouter"],
        "INSTALLED_APPS": [
            "django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
            "django.contrib.sessions", "django.contrib.messages", "django.contrib.staticfiles", "station",
        ],
        "MIDDLEWARE": [
            "django.middleware.security.SecurityMiddleware",
            "whitenoise.middleware.WhiteNoiseMiddleware",
            "django.contrib.sessions.middleware.SessionMiddleware",
            "station.web.language.ChosenLanguage",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
            "django.middleware.clickjacking.XFrameOptionsMiddleware",
        ],
        "ROOT_URLCONF": "station.web.urls",
        "TEMPLATES": [{
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "APP_DIRS": True,
            "OPTIONS": {"context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "station.web.access.roles_context",
            ]},
        }],
        "SECRET_KEY": "set from the store at start-up",
        "ALLOWED_HOSTS": [h.strip() for h in hosts if h.strip()],
        "DEBUG": False,
        "USE_TZ": True,
        "TIME_ZONE": "Europe/Berlin",
        "USE_I18N": True,
        "LANGUAGE_CODE": "de",
        "LANGUAGES": [("de", "Deutsch"), ("en", "English")],
        "LOCALE_PATHS": [str(PACKAGE / "locale")],
        "STATIC_URL": "/static/",
        "STATIC_ROOT": None,
        "WHITENOISE_USE_FINDERS": True,  # static files straight from the package: no collectstatic, no CDN
        "WHITENOISE_AUTOREFRESH": False,
        "DEFAULT_AUTO_FIELD": "django.db.models.BigAutoField",
        "PASSWORD_HASHERS": ["django.contrib.auth.hashers.Argon2PasswordHasher",
                             "django.contrib.auth.hashers.PBKDF2PasswordHasher"],
        "AUTH_PASSWORD_VALIDATORS": [
            {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
            {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
        ],
        "LOGIN_URL": "login",
        "LOGIN_REDIRECT_URL": "recordings",
        "SESSION_COOKIE_AGE": 8 * 3600,  # one shift
        "SESSION_EXPIRE_AT_BROWSER_CLOSE": True,
        "SESSION_COOKIE_SECURE": behind_tls,
        "CSRF_COOKIE_SECURE": behind_tls,
        "SECURE_PROXY_SSL_HEADER": ("HTTP_X_FORWARDED_PROTO", "https") if behind_tls else None,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
        "SECURE_REFERRER_POLICY": "same-origin",
    }
