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
        return StoreRouter.alias

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return StoreRouter.alias

    def allow_relation(self, first: Any, second: Any, **hints: Any) -> bool:
        return True


def use_store(alias: str) -> None:
    StoreRouter.alias = alias
