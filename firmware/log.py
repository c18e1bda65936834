"""Structured log: one JSON object per line, every line with ``t`` (monotonic seconds) and ``type``.

The types are the members of ``Record``: a sink (the signed audit log) chooses records by member, so a
renamed type cannot drop out of the evidence chain unnoticed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from enum import StrEnum
from typing import Protocol

from hal.interfaces import Clock


class Record(StrEnum):
    START = "start"
    STOPPED = "stopped"
    DECISION = "decision"
    TRANSITION = "transition"
    RECORDING_STARTED = "recording-started"
    RECORDING = "recording"
    MARKER = "marker"
    AUDIT = "audit"
    ANNOUNCE = "announce"
    SOUND = "sound"
    AUDIO_PROBLEM = "audio-problem"
    SOUND_GAP = "sound-gap"
    CONFIG = "config"
    RECOVERY = "recovery"
    STORAGE_ERROR = "storage-error"
    HARDWARE_FAULT = "hardware-fault"
    CAMERA_RETRY_FAILED = "camera-retry-failed"
    SENSOR_ERROR = "sensor-error"
    BATTERY = "battery"
    ASSIGNED = "assigned"
    UNASSIGNED = "unassigned"
    ASSIGNMENT_REFUSED = "assignment-refused"
    CONTROL_ROOM = "control-room"


Sink = Callable[[Record, dict[str, object]], None]


class TextStream(Protocol):
    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class JsonLog:
    def __init__(self, stream: TextStream, clock: Clock) -> None:
        self._stream = stream
        self._clock = clock
        self._lock = threading.Lock()
        self._sinks: list[Sink] = []

    def add_sink(self, sink: Sink) -> None:
        """Also hand every record, with its type, to ``sink`` (the audit log picks what it keeps)."""
        self._sinks.append(sink)

    def write(self, type_: Record, t: float | None = None, **fields: object) -> None:
        record = {"t": round(self._clock.now() if t is None else t, 3), "type": str(type_), **fields}
        line = json.dumps(record, ensure_ascii=False, default=str)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()
            for sink in self._sinks:
                sink(type_, json.loads(line))
