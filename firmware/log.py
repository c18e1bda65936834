"""Structured log: one JSON object per line, every line with ``t`` (monotonic seconds) and ``type``."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Protocol

from hal.interfaces import Clock


class TextStream(Protocol):
    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


class JsonLog:
    def __init__(self, stream: TextStream, clock: Clock) -> None:
        self._stream = stream
        self._clock = clock
        self._lock = threading.Lock()
        self._sinks: list[Callable[[dict[str, object]], None]] = []

    def add_sink(self, sink: Callable[[dict[str, object]], None]) -> None:
        """Also hand every record to ``sink`` (the audit log picks what it keeps)."""
        self._sinks.append(sink)

    def write(self, type_: str, t: float | None = None, **fields: object) -> None:
        record = {"t": round(self._clock.now() if t is None else t, 3), "type": type_, **fields}
        line = json.dumps(record, ensure_ascii=False, default=str)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()
            for sink in self._sinks:
                sink(json.loads(line))


class JsonLogHandler(logging.Handler):
    """Routes library and adapter ``logging`` records into the same JSON-lines stream."""

    def __init__(self, log: JsonLog) -> None:
        super().__init__()
        self._log = log

    def emit(self, record: logging.LogRecord) -> None:
        self._log.write("log", level=record.levelname.lower(), logger=record.name, message=record.getMessage())
