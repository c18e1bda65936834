"""WSGI entry point for a server of your choice: ``BODYCAM_STORE`` (and ``BODYCAM_DATABASE``) name the store."""

from __future__ import annotations

from station.paths import DEFAULT_STORE
from station.store import Store
from station.web.server import wsgi_application

application = wsgi_application(Store.open(DEFAULT_STORE))
