"""Structured log: one JSON object per line, every line with ``t`` (monotonic seconds) and ``type``."""

from __future__ import annotations

import json
import logging
import threading
from typing import TextIO

from hal.interfaces import Clock


class JsonLog:
    def __init__(self, stream: TextIO, clock: Clock) -> None:
        self._stream = stream
        self._clock = clock
        self._lock = threading.Lock()

    def write(self, type_: str, t: float | None = None, **fields: object) -> None:
        record = {"t": round(self._clock.now() if t is None else t, 3), "type": type_, **fields}
        line = json.dumps(record, ensure_ascii=False, default=str)
        with self._lock:
            self._stream.write(line + "\n")
            self._stream.flush()


class JsonLogHandler(logging.Handler):
    """Routes library and adapter ``logging`` records into the same JSON-lines stream."""

    def __init__(self, log: JsonLog) -> None:
        super().__init__()
        self._log = log

    def emit(self, record: logging.LogRecord) -> None:
        self._log.write("log", level=record.levelname.lower(), logger=record.name, message=record.getMessage())
