"""Retention in the evidence store: recordings older than the period are deleted unless held.

Every hold, release and deletion is appended to the store's ``offload.log`` (the store's audit trail)
and reflected in ``index.json``.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from storage.offload import EvidenceStore

DURATION = re.compile(r"^(\d+)([dh])$")


class RetentionError(ValueError):
    pass


def parse_period(text: str) -> timedelta:
    match = DURATION.match(text)
    if not match:
        raise RetentionError(f"retention period {text!r}: write days or hours, e.g. 14d or 36h")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(days=amount) if unit == "d" else timedelta(hours=amount)


def _started(entry: dict[str, object]) -> datetime:
    return datetime.fromisoformat(str(entry["started_utc"]).replace("Z", "+00:00"))


def hold(store: EvidenceStore, recording: str, reason: str) -> None:
    index = store.index()
    if recording not in index:
        raise RetentionError(f"no recording {recording} in {store.root}")
    if not reason.strip():
        raise RetentionError("a hold needs a reason (case number, request)")
    index[recording]["hold"] = reason
    store.save_index(index)
    store.log(event="hold", recording=recording, reason=reason)


def release_hold(store: EvidenceStore, recording: str) -> None:
    index = store.index()
    if recording not in index or not index[recording].get("hold"):
        raise RetentionError(f"recording {recording} is not held")
    index[recording]["hold"] = None
    store.save_index(index)
    store.log(event="hold-released", recording=recording)


@dataclass(frozen=True)
class PurgeResult:
    deleted: list[str]
    held: list[str]


def purge(store: EvidenceStore, older_than: timedelta, now: datetime | None = None,
          dry_run: bool = False) -> PurgeResult:
    now = now or datetime.now(UTC)
    index = store.index()
    deleted, held = [], []
    for recording, entry in sorted(index.items()):
        if now - _started(entry) <= older_than:
            continue
        if entry.get("hold"):
            held.append(recording)
            continue
        deleted.append(recording)
        if not dry_run:
            shutil.rmtree(store.root / str(entry["device"]) / recording, ignore_errors=True)
            del index[recording]
            store.log(event="deleted", recording=recording, reason=f"retention {older_than.days} d",
                      started_utc=entry["started_utc"])
    if not dry_run:
        store.save_index(index)
    return PurgeResult(deleted, held)
