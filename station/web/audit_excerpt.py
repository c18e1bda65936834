"""The camera's own signed account of one recording: the audit lines from its start to its stop."""

from __future__ import annotations

from dataclasses import dataclass

from station.registry import public_key
from station.store import Store
from storage.audit import verify_audit

SHOWN = ("recording-started", "marker", "recording", "recovery", "transition", "storage-error", "battery-warning")
MAX_LINES = 200


@dataclass(frozen=True)
class Excerpt:
    lines: list[tuple[str, dict[str, object]]]
    problems: list[str]


def excerpt(store: Store, recording) -> Excerpt:
    """Lines of the camera's audit log (verified with the registered key) from the line that starts this
    recording to the one that stops or recovers it."""
    directory = store.audit_dir(recording.device.key_id)
    if not directory.is_dir():
        return Excerpt([], [])
    report = verify_audit(directory, {recording.device.key_id: public_key(recording.device.public_key)})
    lines, inside = [], False
    for where, entry in report.entries:
        names = entry.get("recording") == recording.recording_id
        inside = inside or (entry.get("type") == "recording-started" and names)
        if inside and entry.get("type") in SHOWN:
            lines.append((where, {k: v for k, v in entry.items() if k not in ("sig", "prev", "key")}))
        if inside and entry.get("type") in ("recording", "recovery") and names:
            break
        if len(lines) >= MAX_LINES:
            break
    return Excerpt(lines, report.problems)
