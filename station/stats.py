"""Pilot statistics from audit logs: how the three stages are used. Anonymous by construction: only
stage changes, reasons, durations and counts are read; no footage, places or names are in the logs."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from storage.audit import chain_order, line_hash


@dataclass
class Stats:
    devices: int = 0
    stage_entries: Counter[str] = field(default_factory=Counter)
    display_episodes: int = 0
    display_episodes_without_recording: int = 0
    recordings_by_reason: Counter[str] = field(default_factory=Counter)
    recording_seconds: list[float] = field(default_factory=list)
    markers: int = 0
    battery_warnings: int = 0
    battery_shutdowns: int = 0

    @property
    def deescalation_rate(self) -> float | None:
        """Share of display episodes that ended without a recording (pilots report ~75 %)."""
        if not self.display_episodes:
            return None
        return self.display_episodes_without_recording / self.display_episodes

    def as_dict(self) -> dict[str, object]:
        durations = sorted(self.recording_seconds)
        return {
            "devices": self.devices,
            "stage_entries": dict(self.stage_entries),
            "display_episodes": self.display_episodes,
            "display_episodes_without_recording": self.display_episodes_without_recording,
            "deescalation_rate": None if self.deescalation_rate is None else round(self.deescalation_rate, 3),
            "recordings_by_reason": dict(self.recordings_by_reason),
            "recordings": len(durations),
            "recording_seconds_total": round(sum(durations), 1),
            "recording_seconds_median": round(durations[len(durations) // 2], 1) if durations else None,
            "markers": self.markers,
            "battery_warnings": self.battery_warnings,
            "battery_shutdowns": self.battery_shutdowns,
        }


def audit_lines(roots: list[Path]) -> dict[str, list[dict[str, object]]]:
    """Every audit line under ``roots`` (data dirs, stores, device folders), once each, per device key.

    The same line may be found twice (a store and the camera's data dir, or a store and one of its
    device folders): each line is signed and chained, so its hash identifies it.
    """
    seen: set[str] = set()
    by_device: dict[str, list[dict[str, object]]] = {}
    folders = sorted({p.parent for root in roots if root.is_dir() for p in root.rglob("audit/*.jsonl")})
    for folder in folders:
        for path in chain_order(folder):
            for line in path.read_bytes().split(b"\n"):
                digest = line_hash(line)
                if not line.strip() or digest in seen:
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    continue  # a line cut off by a power cut
                seen.add(digest)
                by_device.setdefault(str(record.get("key")), []).append(record)
    return by_device


def collect(roots: list[Path]) -> Stats:
    stats = Stats()
    for records in audit_lines(roots).values():
        stats.devices += 1
        add_device(stats, records)
    return stats


def add_device(stats: Stats, records: list[dict[str, object]]) -> None:
    """Adds one camera's audit lines (in chain order) to ``stats``; a malformed line is skipped."""
    in_episode = recorded = False
    recording_since: float | None = None
    for r in records:
        kind = r.get("type")
        if kind == "transition":
            try:
                source, target, t = r["from"], r["to"], float(r["t"])  # type: ignore[arg-type]
            except (KeyError, TypeError, ValueError):
                continue
            stats.stage_entries[str(target)] += 1
            if target == "display" and source == "worn":
                in_episode, recorded = True, False
                stats.display_episodes += 1
            if target == "recording":
                recorded = True
                recording_since = t
                stats.recordings_by_reason[str(r["reason"])] += 1
            if source == "recording" and recording_since is not None:
                stats.recording_seconds.append(t - recording_since)
                recording_since = None
            if target in ("worn", "shutdown") and in_episode:
                stats.display_episodes_without_recording += not recorded
                in_episode = False
        elif kind == "marker":
            stats.markers += 1
        elif kind == "audit" and r.get("kind") == "battery-warning":
            stats.battery_warnings += 1
        elif kind == "audit" and r.get("kind") == "battery-critical":
            stats.battery_shutdowns += 1
