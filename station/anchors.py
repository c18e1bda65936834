"""Audit anchors: the end of each camera's audit log as the station saw it at every offload.

A camera's log can only grow; an audit copy (on the camera or in the store) that no longer reaches an
anchored line was cut, even where every line left verifies.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from station.store import Store, now
from storage.audit import AuditReport

if TYPE_CHECKING:
    from station.models import Device


def anchor_problems(store: Store, device: Device, audit: AuditReport | None) -> list[str]:
    """Why ``audit`` does not reach the newest anchor of ``device``; empty when it does or none exists."""
    from station.models import AuditAnchor

    anchor = store.db.query(AuditAnchor).filter(device=device).order_by("-at", "-pk").first()
    if anchor is None or anchor.lines == 0:
        return []
    hashes = audit.hashes if audit else []
    if len(hashes) >= anchor.lines and hashes[anchor.lines - 1] == anchor.last_hash:
        return []
    return [f"audit: cut: the log no longer reaches the end anchored at the offload of "
            f"{anchor.at.isoformat(timespec='seconds')} (line {anchor.lines} of the chain)"]


def anchor(store: Store, device: Device, audit: AuditReport) -> None:
    from station.models import AuditAnchor

    with store.db.atomic():
        store.db.query(AuditAnchor).create(device=device, lines=audit.lines, last_hash=audit.last_hash, at=now())
