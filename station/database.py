"""The station's database: Django's ORM and migrations, over SQLite (default) or PostgreSQL.

Django is configured by ``station.settings``, whose ``default`` database is the store a process opens
first (or the one the environment names). Every other database URL gets a connection alias of its own, so
one process (a test, a migration tool) can hold a SQLite and a PostgreSQL store at once; every query of
``Database`` names its alias.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from bodycam.errors import BodycamError


class DatabaseError(BodycamError, RuntimeError):
    """The database URL is malformed, or the server cannot be reached or migrated."""


def setup_django(store: Path | None = None, database_url: str | None = None) -> None:
    """Set Django up with ``station.settings`` (once per process; code that imports station.models first
    calls this). The first store a process opens becomes the settings' store, as if the environment had
    named it; the environment itself is left as it was."""
    import django
    from django.apps import apps

    if apps.ready:
        return
    chosen = {"BODYCAM_STORE": str(store) if store else None, "BODYCAM_DATABASE": database_url}
    before = {name: os.environ.get(name) for name in chosen}
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "station.settings")
    try:
        os.environ.update({name: value for name, value in chosen.items() if value})
        django.setup()
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


DATABASE_FILE = "station.sqlite3"
"""The store's own database, when no other is named."""


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path.resolve()}"


def store_database_url(root: Path, database_url: str | None = None) -> str:
    """A store's database: the URL given, else ``$BODYCAM_DATABASE``, else ``station.sqlite3`` in the store.
    The settings and ``Store`` both ask here, so the store a process opens first is Django's ``default``."""
    return database_url or os.environ.get("BODYCAM_DATABASE") or sqlite_url(root / DATABASE_FILE)


def database_settings(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme == "sqlite" and parts.path:
        # WAL lets readers go on while an offload writes; IMMEDIATE takes the write lock at the start
        # of a transaction, so two offloads queue instead of failing half-way ("database is locked").
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": unquote(parts.path),
                "OPTIONS": {"timeout": 60, "transaction_mode": "IMMEDIATE",
                            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL"}}
    if parts.scheme in ("postgresql", "postgres") and parts.path.strip("/"):
        return {"ENGINE": "django.db.backends.postgresql", "NAME": unquote(parts.path.strip("/")),
                "USER": unquote(parts.username or ""), "PASSWORD": unquote(parts.password or ""),
                "HOST": parts.hostname or "", "PORT": str(parts.port or ""), "OPTIONS": {"connect_timeout": 10}}
    raise DatabaseError(f"database URL {url!r}: write sqlite:///PATH or postgresql://USER@HOST:PORT/NAME")


class Database:
    """One store database; ``query(Model)`` and ``atomic()`` always use its own connection."""

    def __init__(self, url: str) -> None:
        setup_django()
        from django.conf import settings
        from django.db import connections

        self.url = url
        self.alias = "default" if url == settings.BODYCAM_DATABASE else \
            "station-" + hashlib.sha256(url.encode()).hexdigest()[:12]
        if self.alias not in connections.settings:
            configured = connections.configure_settings({"default": {}, self.alias: database_settings(url)})
            settings.DATABASES[self.alias] = configured[self.alias]
            connections.settings[self.alias] = configured[self.alias]

    def migrate(self) -> None:
        """Create or update the schema (Django migrations in ``station/migrations``)."""
        from django.core.management import call_command
        from django.db.utils import OperationalError

        self.reconnect_if_lost()  # a process opening a store again may hold a connection the server dropped
        try:
            call_command("migrate", database=self.alias, verbosity=0)
        except OperationalError as exc:
            raise DatabaseError(f"cannot open the database {self.display_url}: {exc}".strip()) from None

    @property
    def display_url(self) -> str:
        parts = urlsplit(self.url)
        return self.url.replace(f":{parts.password}@", ":***@") if parts.password else self.url

    def query(self, model: Any) -> Any:
        return model.objects.using(self.alias)

    def atomic(self) -> AbstractContextManager[Any]:
        from django.db import transaction

        return transaction.atomic(using=self.alias)

    def close(self) -> None:
        from django.db import connections

        connections[self.alias].close()

    def reconnect_if_lost(self) -> None:
        """Closes a connection the server has dropped (a restart): Django notices only once a query fails,
        so a long run (``offload --all``) asks before each camera, and the next query connects anew."""
        from django.db import connections

        connection = connections[self.alias]
        if connection.connection is not None and not connection.is_usable():
            connection.close()
