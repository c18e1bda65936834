"""The station's job queue for long work (redaction): django-q2 with the store's own database as its
broker, so the jobs wait where the evidence is, on SQLite as on PostgreSQL, and survive a restart.
``bodycam station jobs`` runs them (``BODYCAM_JOB_WORKERS`` at a time); a job's progress and failure
are on its own row (station.redactions), not in django-q's tables.

One job runner per store. At its start, the jobs a stopped runner left half done are started again: their
work is redone from the beginning (nothing of it was kept), with a new attempt number, so that a late
end of the old run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django_q.brokers.orm import ORM

from station.router import StoreRouter
from station.store import Store

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import x25519


@dataclass(frozen=True)
class Runner:
    """What a job works with: the store, and the evidence office's key to decrypt what it reads."""

    store: Store
    agency_key: Callable[[], x25519.X25519PrivateKey]


_runner: Runner | None = None


def attach(runner: Runner) -> None:
    """The job runner's store and key, set once at its start (its workers are forked from it)."""
    global _runner
    _runner = runner


def runner() -> Runner:
    if _runner is None:
        raise RuntimeError("no job runner attached: run the jobs with bodycam station jobs")
    return _runner


class StoreBroker(ORM):
    """django-q's ORM broker on the store the process serves (``use_store``), not Django's ``default``."""

    @staticmethod
    def get_connection(list_key: str | None = None) -> Any:
        from django import db
        from django.db import transaction
        from django_q.models import OrmQ

        alias = StoreRouter.alias or "default"
        if transaction.get_autocommit(using=alias):  # as django-q's own: a long-lived runner's stale connection
            db.close_old_connections()
        return OrmQ.objects.using(alias)


def enqueue(function: str, *args: object, ended: str | None = None) -> None:
    """Run ``function`` (dotted path) with ``args`` in the job runner; ``ended`` (dotted path) is called
    with django-q's task after it, however it ended."""
    from django_q.tasks import async_task

    async_task(function, *args, hook=ended)


def take_up_interrupted(store: Store) -> int:
    """Before the runner starts: every job a stopped runner had taken is free again. Returns how many."""
    from django_q.models import OrmQ

    return store.db.query(OrmQ).filter(lock__gt=timezone.now()).update(lock=timezone.now())
