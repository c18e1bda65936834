"""Both ends of an offload: what the device offers and releases, and the evidence store that receives.

Nothing leaves the device except through a verified copy: the store verifies every file against the
registered device key, records the receipt, and only then asks the device to delete; the device
deletes a recording only when every file's hash still equals the hash in the receipt.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from storage.keys import key_id, load_device_public
from storage.recovery import read_marker
from storage.segment_reader import SegmentError, read_segment
from storage.verify import RecordingReport, check_recording, find_recordings


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


# --- device side --------------------------------------------------------------------------------------


def manifest(data_dir: Path) -> dict[str, object]:
    """What the device holds: its key id, and which recordings are finished (safe to take and delete).

    Only the recording named by the in-progress marker is unfinished: the firmware closes every other
    open segment when it starts (storage.recovery), so nothing else is still being written.
    """
    in_progress = read_marker(data_dir)
    recordings = [
        {"id": d.name, "finished": in_progress is None or in_progress.recording != d.name}
        for d in find_recordings(data_dir)
    ]
    device_key = load_device_public(data_dir / "keys" / "device.pub")
    return {"device_key_id": key_id(device_key), "recordings": recordings}


def release(data_dir: Path, receipt: dict[str, object]) -> list[str]:
    """Delete the recordings the receipt names whose files all still hash to the receipted values."""
    deleted = []
    for recording, hashes in dict(receipt["recordings"]).items():  # type: ignore[call-overload]
        directory = data_dir / "recordings" / recording
        files = sorted(directory.glob("*.bcs")) if directory.is_dir() else []
        if not files or {f.name for f in files} != set(hashes):
            continue
        if not all(_file_hash(f) == hashes[f.name] for f in files):
            continue
        shutil.rmtree(directory)
        deleted.append(recording)
    return deleted


def _file_hash(path: Path) -> str | None:
    try:
        return read_segment(path).hash
    except SegmentError:
        return None


# --- store side ---------------------------------------------------------------------------------------


class EvidenceStore:
    """``<store>/<device>/<recording>/``, registered keys in ``devices/``, ``index.json``, ``offload.log``."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        (root / "devices").mkdir(exist_ok=True)

    def device_key_path(self, device_key_id: str) -> Path:
        return self.root / "devices" / f"{device_key_id}.pub"

    def incoming(self, device_key_id: str) -> Path:
        return self.root / "incoming" / device_key_id

    def log(self, **entry: object) -> None:
        with open(self.root / "offload.log", "a", encoding="utf-8") as f:
            f.write(json.dumps({"utc": _now(), **entry}, ensure_ascii=False) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def index(self) -> dict[str, dict[str, object]]:
        path = self.root / "index.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}

    def save_index(self, index: dict[str, dict[str, object]]) -> None:
        temporary = self.root / "index.json.tmp"
        temporary.write_text(json.dumps(index, indent=2, sort_keys=True), encoding="utf-8")
        os.replace(temporary, self.root / "index.json")

    def accept(self, device_key_id: str, finished: set[str]) -> tuple[dict[str, dict[str, str]], list[str]]:
        """Verify what arrived; move verified, finished recordings into place.

        Returns the receipt (recording → file → hash) and the problems, one line each.
        """
        trusted = {device_key_id: load_device_public(self.device_key_path(device_key_id))}
        receipt: dict[str, dict[str, str]] = {}
        problems: list[str] = []
        index = self.index()
        for directory in find_recordings(self.incoming(device_key_id) / "recordings"):
            if directory.name not in finished:
                continue  # still being recorded on the device: taken next time
            report = check_recording(directory, trusted)
            if report.problems:
                problems.extend(report.problems)
                self.log(event="rejected", recording=directory.name, problems=report.problems)
                continue
            device_id = str(report.segments[0].header["device_id"])
            target = self.root / device_id / directory.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():  # received before, the device's deletion did not happen: the same files
                shutil.rmtree(directory)
            else:
                os.replace(directory, target)
            receipt[directory.name] = {s.path.name: s.hash for s in report.segments}
            index[directory.name] = self._entry(report, device_id)
            self.log(event="received", device=device_id, recording=directory.name,
                     segments=len(report.segments), status=report.status)
        self.save_index(index)
        return receipt, problems

    def _entry(self, report: RecordingReport, device_id: str) -> dict[str, object]:
        first = report.segments[0].header
        return {"device": device_id, "started_utc": first["started_utc"], "reason": first["reason"],
                "duration_s": round(report.duration_s(), 1), "segments": len(report.segments),
                "status": report.status, "received_utc": _now(), "hold": None}

    def accept_audit(self, device_key_id: str, device_id: str) -> None:
        source = self.incoming(device_key_id) / "audit"
        target = self.root / device_id / "audit"
        target.mkdir(parents=True, exist_ok=True)
        for path in sorted(source.glob("*.jsonl")) if source.is_dir() else []:
            shutil.copy2(path, target / path.name)  # the device keeps its audit log; the store keeps copies
