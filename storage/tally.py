"""Accounts for the packets of each recording: what started it, how much arrived, when it stopped.

This is the recorder of the device-core milestone: it proves packets reach the recording path only
while recording and gives the log a per-recording summary. The encrypted segment writer (recording
issue) takes its place behind the same calls.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field


@dataclass
class RecordingTally:
    number: int
    reason: str
    started_at: float
    markers: list[float] = field(default_factory=list)
    packets: int = 0
    keyframes: int = 0
    bytes: int = 0
    first_pts_us: int | None = None
    last_pts_us: int | None = None

    def summary(self) -> dict[str, object]:
        span = 0.0
        if self.first_pts_us is not None and self.last_pts_us is not None:
            span = (self.last_pts_us - self.first_pts_us) / 1e6
        return {
            "recording": self.number,
            "reason": self.reason,
            "packets": self.packets,
            "keyframes": self.keyframes,
            "bytes": self.bytes,
            "video_s": round(span, 3),
            "markers": self.markers,
        }


class TallyRecorder:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: RecordingTally | None = None
        self.finished: list[RecordingTally] = []

    @property
    def active(self) -> bool:
        return self._current is not None

    def start(self, reason: str, pressed_at: float) -> None:
        with self._lock:
            self._current = RecordingTally(len(self.finished) + 1, reason, pressed_at)

    def packet(self, data: bytes, keyframe: bool, pts_us: int) -> None:
        with self._lock:
            tally = self._current
            if tally is None:
                return
            if tally.packets == 0 and not keyframe:
                return  # a recording starts at a keyframe, so it decodes on its own
            tally.packets += 1
            tally.keyframes += keyframe
            tally.bytes += len(data)
            tally.first_pts_us = pts_us if tally.first_pts_us is None else tally.first_pts_us
            tally.last_pts_us = pts_us

    def marker(self, at: float) -> None:
        with self._lock:
            if self._current is not None:
                self._current.markers.append(at)

    def stop(self, reason: str) -> dict[str, object] | None:
        with self._lock:
            tally, self._current = self._current, None
        if tally is None:
            return None
        self.finished.append(tally)
        return {**tally.summary(), "stop_reason": reason}
