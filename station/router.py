"""Every query of the web application (users, sessions, requests) goes to the store it serves.

The command line names its database on each query (``Database.query``); the web application and
Django's own apps (auth, sessions, admin) do not, so this router sends them to the store chosen at
start-up (``use_store``).
"""

from __future__ import annotations

from typing import Any


class StoreRouter:
    alias: str | None = None

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return _instance_database(hints) or StoreRouter.alias

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return _instance_database(hints) or StoreRouter.alias

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool:
        return True


def _instance_database(hints: dict[str, Any]) -> str | None:
    """A related object is read from the database its instance came from (``recording.device`` of a
    recording read with ``Database.query``), never from whichever store the application serves."""
    instance = hints.get("instance")
    return getattr(getattr(instance, "_state", None), "db", None)


def use_store(alias: str) -> None:
    StoreRouter.alias = alias
