"""Taking what an offload received into the store: verify, place append-only, quarantine the rest,
and say exactly which bytes the store now holds (the receipt).

Order of trust: the registry says which key this camera has; the audit log must extend what the store
already anchored; every recording must verify with the registered key alone, cross-checked against
that audit log, and end with its final (or interrupted) trailer. Nothing that fails any of this is
receipted, so nothing of it is deleted on the camera.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from station.anchors import anchor, anchor_problems
from station.paths import inside, irregular_entries
from station.registry import public_key
from station.store import Store, now
from storage.audit import AuditReport
from storage.crosscheck import camera_wearers
from storage.durable import fsync_dir
from storage.identifiers import (
    IdentifierError,
    check_audit_file,
    check_recording_id,
    check_segment_file,
    parse_utc,
)
from storage.receipt import Receipted
from storage.report import RecordingReport
from storage.segment_format import hash_file
from storage.segment_reader import Segment, read_segment
from storage.verify import verify_tree

if TYPE_CHECKING:
    from station.models import Device

PARTIAL_DIR = ".rsync-partial"


@dataclass
class Acceptance:
    receipt: Receipted = field(default_factory=dict)
    """What the store holds byte for byte: the camera may delete exactly this."""
    received: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """New problems: refused uploads, conflicts, rollbacks (each quarantined and logged once)."""
    still_quarantined: list[str] = field(default_factory=list)
    """Uploads refused before, sent again unchanged: not logged again."""
    refused: list[str] = field(default_factory=list)
    """Recordings (ids of the camera's form) refused or in conflict: the receipt tells the camera."""


def accept(store: Store, device: Device, reader: Callable[[Path], Segment] = read_segment,
           skip: frozenset[str] = frozenset()) -> Acceptance:
    """Verify and place what lies in ``incoming/<device key id>/``; ``skip`` names recordings in progress."""
    dkid: str = device.key_id
    incoming = store.incoming(dkid)
    result = Acceptance()
    for path, why in irregular_entries(incoming):  # rsync --no-links takes none; anything else is refused
        result.problems.append(f"{dkid}: refused: {path.relative_to(incoming)}: {why}")
        _remove(path)
    tree = verify_tree(incoming, {dkid: public_key(device.public_key)}, at_store=True,
                       reader=reader)
    rollback = _audit_problems(store, device, incoming / "audit", tree.audit)
    rollback += tree.audit.problems if tree.audit else []
    if rollback:
        _quarantine(store, result, dkid, "audit-rollback", "audit", incoming / "audit", rollback, keep_source=True)
        return result  # a log that does not extend what the store anchored: take nothing, release nothing
    checked = {r.id: r for r in tree.recordings}
    worn = camera_wearers(tree.audit) if tree.audit is not None else {}
    recordings = incoming / "recordings"
    for entry in sorted(recordings.iterdir()) if recordings.is_dir() else []:
        if entry.name in skip or entry.name == PARTIAL_DIR:
            continue
        problems = _refusals(entry, dkid, checked.get(entry.name))
        if problems:
            _quarantine(store, result, dkid, "rejected", entry.name, entry, problems)
            continue
        _place(store, device, checked[entry.name], result, worn.get(entry.name))
    if tree.audit is not None:
        _keep_audit(store, device, incoming / "audit", tree.audit)
    return result


def _shape_problems(entry: Path, dkid: str) -> list[str]:
    try:
        check_recording_id(entry.name, dkid)
    except IdentifierError as exc:
        return [f"{entry.name!r}: {exc}"]
    if not entry.is_dir():
        return [f"{entry.name}: not a folder"]
    problems = []
    for item in entry.iterdir():
        if item.name == PARTIAL_DIR:
            continue
        try:
            check_segment_file(item.name)
        except IdentifierError as exc:
            problems.append(f"{entry.name}/{item.name}: unexpected file: {exc}")
    return problems


def _refusals(entry: Path, dkid: str, report: RecordingReport | None) -> list[str]:
    """Why a recording folder is refused: its shape, then its verification, then its header; or nothing."""
    shape = _shape_problems(entry, dkid)
    if shape or report is None:
        return shape or [f"{entry.name}: no segments"]
    return report.problems or _header_problems(report)


def _header_problems(report: RecordingReport) -> list[str]:
    """What the index takes from a (signed, but camera-made) header must have its documented form."""
    header = report.segments[0].header
    problems = []
    if parse_utc(header.get("started_utc")) is None:
        problems.append(f"{report.id}: header: started_utc {header.get('started_utc')!r}: not a UTC time")
    if not isinstance(header.get("reason"), str) or not 0 < len(str(header["reason"])) <= 40:
        problems.append(f"{report.id}: header: reason {header.get('reason')!r}: not a reason")
    return problems


def _status(report: RecordingReport) -> str:
    last = report.segments[-1]
    return "interrupted" if last.trailer and last.trailer.get("interrupted") else "ok"


def _place(store: Store, device: Device, report: RecordingReport, result: Acceptance,
           camera_wearer: str | None) -> None:
    from station.models import Recording

    dkid, rid = device.key_id, report.id
    files = {s.path.name: s.hash for s in report.segments}
    size = sum(s.path.stat().st_size for s in report.segments)
    source, target = report.directory, store.recording_dir(dkid, rid)
    if report.segments[-1].trailer is None:  # the camera closes a crashed recording before it can get here
        result.problems.append(f"{rid}: unfinished: left on the camera until it is closed")
        return
    existing = store.db.query(Recording).filter(device=device, recording_id=rid).first()
    held = existing.files if existing else _files_on_disk(target)
    if held is not None:
        if held != files:
            _quarantine(store, result, dkid, "conflict", rid, source,
                        [f"{rid}: conflict: the store holds other bytes under this id "
                         f"({store.root.name}/devices/{dkid}/recordings/{rid}); both are kept"])
            return
        _remove(source)  # the same bytes again (a receipt that did not arrive): receipt them again
        if existing is None:
            _index(store, device, report, files, size, camera_wearer)
            result.received.append(rid)
        result.receipt[rid] = files
        return
    shutil.rmtree(source / PARTIAL_DIR, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)
    fsync_dir(target.parent)
    _index(store, device, report, files, size, camera_wearer)  # after the move: a crash in between is healed next time
    result.received.append(rid)
    result.receipt[rid] = files


def _files_on_disk(target: Path) -> dict[str, str] | None:
    """A recording whose files were placed but whose row was not written (a crash between the two)."""
    if not target.is_dir():
        return None
    return {p.name: hash_file(p) for p in sorted(target.iterdir())}


def _index(store: Store, device: Device, report: RecordingReport, files: dict[str, str], size: int,
           camera_wearer: str | None) -> None:
    from station.models import Recording

    first = report.segments[0].header
    status = _status(report)
    with store.db.atomic():
        store.db.query(Recording).create(
            device=device, recording_id=report.id, started_utc=parse_utc(first.get("started_utc")),
            reason=str(first["reason"]), duration_s=round(report.duration_s(), 3), segments=len(report.segments),
            markers=len(report.markers()), status=status, files=files, received_at=now(),
            notes=report.notes + report.sound_gaps, marker_times=_marker_times(report), camera_wearer=camera_wearer)
        store.log("received", f"{device.key_id}/{report.id}", segments=len(report.segments), status=status,
                  bytes=size)


def _marker_times(report: RecordingReport) -> list[dict[str, object]]:
    """Markers as seconds from the recording's first packet, for the evidence office's player."""
    start = report.segments[0].header.get("start_pts_us")
    return [{"t": round((int(m["pts_us"]) - int(start)) / 1e6, 3), "utc": str(m.get("utc"))}
            for m in report.markers() if isinstance(m.get("pts_us"), int) and isinstance(start, int)]


def _quarantine(store: Store, result: Acceptance, dkid: str, kind: str, name: str, source: Path,
                problems: list[str], keep_source: bool = False) -> None:
    """Keep a refused upload for a person; the same upload again is counted, not logged again."""
    from station.models import QuarantineItem

    fingerprint = _fingerprint(dkid, kind, name, source)
    if _is_recording_id(name, dkid):
        result.refused.append(name)
    with store.db.atomic():
        known = store.db.query(QuarantineItem).select_for_update().filter(fingerprint=fingerprint).first()
        if known is not None:
            known.last_seen, known.times_seen = now(), known.times_seen + 1
            known.save(using=store.db.alias)
            result.still_quarantined.append(f"#{known.pk} {name}")
            if not keep_source:
                _remove(source)
            return
        item = store.db.query(QuarantineItem).create(
            device_key_id=dkid, kind=kind, name=name[:300], fingerprint=fingerprint, path="", problems=problems,
            first_seen=now(), last_seen=now())
        target = store.quarantine_dir(item.pk)
        target.mkdir(parents=True)
        if source.exists():
            (shutil.copytree if keep_source else shutil.move)(str(source), str(target / "upload"))
        item.path = str(target.relative_to(store.root))
        item.save(using=store.db.alias)
        store.log("quarantined", f"{dkid}/{name}"[:100], kind=kind, item=item.pk, problems=problems)
    result.problems.extend(problems)


def _is_recording_id(name: str, dkid: str) -> bool:
    try:
        check_recording_id(name, dkid)
    except IdentifierError:
        return False
    return True


def _fingerprint(dkid: str, kind: str, name: str, source: Path) -> str:
    digest = hashlib.sha256(f"{dkid}\0{kind}\0{name}\0".encode())
    files = sorted(p for p in source.rglob("*") if p.is_file() and not p.is_symlink()) if source.is_dir() else []
    for path in files:
        digest.update(f"{path.relative_to(source)}\0{hash_file(path)}\0".encode())
    return digest.hexdigest()


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


# --- the audit log ------------------------------------------------------------------------------------


def _audit_problems(store: Store, device: Device, incoming_audit: Path, audit: AuditReport | None) -> list[str]:
    """The camera's log must extend the store's copy: every stored file still there and grown only."""
    dkid = device.key_id
    problems = []
    names = sorted(p.name for p in incoming_audit.iterdir()) if incoming_audit.is_dir() else []
    for name in names:
        try:
            check_audit_file(name)
        except IdentifierError as exc:
            problems.append(f"audit: {exc}")
    stored = store.audit_dir(dkid)
    for kept in sorted(stored.glob("*.jsonl")) if stored.is_dir() else []:
        arrived = incoming_audit / kept.name
        old = _complete_lines(kept.read_bytes())
        if not arrived.is_file():
            problems.append(f"audit: rollback: {kept.name} was offloaded before and is gone from the camera")
        elif not arrived.read_bytes().startswith(old):
            problems.append(f"audit: rollback: {kept.name} is shorter than or differs from the copy offloaded before")
    return problems or [f"{p} (rollback)" for p in anchor_problems(store, device, audit)]


def _complete_lines(data: bytes) -> bytes:
    return data[: data.rfind(b"\n") + 1]


def _keep_audit(store: Store, device: Device, incoming_audit: Path, audit: AuditReport) -> None:
    """Copy the grown audit files (complete lines only: the store's copy only ever grows) and anchor."""

    dkid = device.key_id
    stored = store.audit_dir(dkid)
    stored.mkdir(parents=True, exist_ok=True)
    for source in sorted(incoming_audit.glob("*.jsonl")):
        data = _complete_lines(source.read_bytes())
        target = inside(stored, source.name)
        if target.is_file() and target.read_bytes() == data:
            continue
        temporary = target.with_name(f".{target.name}.tmp")
        with open(temporary, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, target)
    fsync_dir(stored)
    anchor(store, device, audit)
