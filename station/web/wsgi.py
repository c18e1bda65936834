"""WSGI entry point for a server of your choice, as Django makes it: ``station.settings`` from the
environment (``BODYCAM_STORE`` and ``BODYCAM_DATABASE`` name the store)."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "station.settings")
application = get_wsgi_application()
