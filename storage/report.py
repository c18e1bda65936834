"""What checking one recording found: its segments, and its problems and notes, for every reader of the
verdict (verify, the audit cross-check, export, the station)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from storage.segment_reader import Segment


@dataclass
class RecordingReport:
    directory: Path
    segments: list[Segment] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Damage, tampering, missing or foreign parts: the recording does not verify."""
    notes: list[str] = field(default_factory=list)
    """A truncated tail after a power cut: everything before it verifies."""
    sound_gaps: list[str] = field(default_factory=list)
    """Sound the microphone lost while the picture went on, as the signed trailers say: the recording is
    whole, its sound has holes, and whoever watches it must be told."""

    @property
    def id(self) -> str:
        return self.directory.name

    @property
    def status(self) -> str:
        return "damaged" if self.problems else "truncated" if self.notes else "ok"

    @property
    def first(self) -> Segment | None:
        return self.segments[0] if self.segments else None

    def duration_s(self) -> float:
        """From the first segment's start to the last packet its trailer names (or, without one, to the last
        segment's start). What the signed parts do not give as numbers counts as no time: a camera signs
        what it likes, and an interrupted trailer names no last packet."""
        if not self.segments:
            return 0.0
        start = self.segments[0].header.get("start_pts_us")
        last = self.segments[-1]
        end = last.trailer.get("last_pts_us") if last.trailer else None
        end = end if isinstance(end, int) else last.header.get("start_pts_us")
        if not isinstance(start, int) or not isinstance(end, int):
            return 0.0
        return max(0, end - start) / 1e6

    def markers(self) -> list[dict[str, Any]]:
        return [m for s in self.segments if s.trailer for m in s.trailer.get("markers", [])]
