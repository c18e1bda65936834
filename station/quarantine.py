"""Quarantine: uploads the store refused (damaged, foreign, malformed), conflicts (other bytes under an
id the store holds) and audit rollbacks. Kept until a person inspects and clears them, or until the
quarantine period after the camera last sent them has passed (``expire``, run by the purge): refused
footage is personal data too, and nothing in it is evidence the store accepted."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bodycam.errors import EXIT_USAGE, BodycamError
from station.custody import actor
from station.paths import inside
from station.store import Store, now

if TYPE_CHECKING:
    from station.models import QuarantineItem


class QuarantineError(BodycamError, ValueError):
    exit_code = EXIT_USAGE
    pass


def items(store: Store, include_cleared: bool = False) -> list[QuarantineItem]:
    from station.models import QuarantineItem

    query = store.db.query(QuarantineItem).order_by("pk")
    return list(query if include_cleared else query.filter(cleared_at__isnull=True))


def _item(store: Store, number: int | None) -> QuarantineItem:
    from station.models import QuarantineItem

    item = store.db.query(QuarantineItem).filter(pk=number).first() if number is not None else None
    if item is None:
        raise QuarantineError(f"no quarantine item #{number}: see `bodycam station quarantine list`")
    return item


def show(store: Store, number: int | None) -> str:
    item = _item(store, number)
    folder = inside(store.root, item.path) if item.path else None
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()) if folder else []
    return json.dumps({"item": item.pk, "kind": item.kind, "device_key_id": item.device_key_id,
                       "name": item.name, "problems": item.problems, "folder": str(folder),
                       "files": files, "first_seen": item.first_seen.isoformat(),
                       "times_seen": item.times_seen}, indent=2, ensure_ascii=False)


def clear(store: Store, number: int | None, reason: str) -> None:
    """A person resolved the item: its copy is removed, the decision logged."""
    if not reason.strip():
        raise QuarantineError("clearing needs a reason (what was checked, what was decided)")
    with store.db.atomic():
        item = _item(store, number)
        if item.cleared_at is not None:
            raise QuarantineError(f"#{number} was cleared already")
        item.cleared_at, item.cleared_reason = now(), reason
        item.cleared_by = actor()
        item.save(using=store.db.alias)
        store.log("quarantine-cleared", f"{item.device_key_id}/{item.name}"[:100], item=item.pk,
                  kind=item.kind, reason=reason)
    if item.path:
        shutil.rmtree(inside(store.root, item.path), ignore_errors=True)


LEGAL_BASIS = ("Art. 5 Abs. 1 lit. e, Art. 17 DSGVO: zurückgewiesene Übertragungen sind keine Beweismittel; ihre "
               "Kopien werden gelöscht, wenn sie niemand innerhalb der Quarantänefrist freigegeben hat")
"""In German: it is the office's record of why personal data was deleted, read by German auditors."""


def expire(store: Store, older_than: timedelta, at: datetime, dry_run: bool = False) -> list[str]:
    """Deletes the copies of items not cleared and not sent again for ``older_than``; the row stays, cleared
    by retention, with a custody line. Returns ``#<item> <name>`` for each."""
    from station.models import QuarantineItem

    expired = []
    due = store.db.query(QuarantineItem).filter(cleared_at__isnull=True, last_seen__lt=at - older_than)
    for item in due.order_by("pk"):
        expired.append(f"#{item.pk} {item.name}")
        if dry_run:
            continue
        with store.db.atomic():
            item.cleared_at, item.cleared_by = now(), "retention"
            item.cleared_reason = f"quarantine period of {older_than.days} d passed"
            item.save(using=store.db.alias)
            store.log("quarantine-expired", f"{item.device_key_id}/{item.name}"[:100], "retention", item=item.pk,
                      kind=item.kind, last_seen=item.last_seen.isoformat(), legal_basis=LEGAL_BASIS)
        if item.path:
            shutil.rmtree(inside(store.root, item.path), ignore_errors=True)
    return expired
