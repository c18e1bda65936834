"""The firmware on simulated hardware in real time, on its own thread, for the window and terminal UIs."""

from __future__ import annotations

import collections
import io
import threading
from pathlib import Path

from firmware.app import Firmware
from firmware.config import Config
from firmware.inbox import ThreadedInbox
from firmware.log import JsonLog
from sim.clock import RealtimeClock
from sim.hardware import build_sim_hardware, sim_keys
from states.events import ShutdownRequested
from states.model import Stage


class TeeLog(io.TextIOBase):
    """Writes the JSON log to a file and keeps the last lines for the UI."""

    def __init__(self, path: Path, keep: int = 200) -> None:
        self._file = path.open("a", encoding="utf-8")
        self.lines: collections.deque[str] = collections.deque(maxlen=keep)

    def write(self, text: str) -> int:
        self._file.write(text)
        self.lines.extend(line for line in text.splitlines() if line)
        return len(text)

    def flush(self) -> None:
        self._file.flush()

    def close(self) -> None:
        self._file.close()


class LiveSim:
    def __init__(self, config: Config, camera_source: Path | None = None,
                 microphone_source: Path | None = None) -> None:
        self.clock = RealtimeClock()
        self.inbox = ThreadedInbox(self.clock)
        self.hardware, self.controls = build_sim_hardware(config, self.clock, camera_source, microphone_source)
        data_dir = Path(config.storage.data_dir)
        data_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = data_dir / "sim-log.jsonl"
        self.log = TeeLog(self.log_path)
        self.firmware = Firmware(config, self.hardware, self.inbox, JsonLog(self.log, self.clock), sim_keys(config))
        self.controls.is_recording = lambda: self.firmware.recorder.active
        self._thread = threading.Thread(target=self.firmware.run, name="firmware", daemon=True)

    @property
    def stage(self) -> Stage:
        return self.firmware.loop.state.stage

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():
            self.inbox.put(ShutdownRequested(self.clock.now(), "simulator-quit"))
            self._thread.join(timeout=10)
        self.log.close()
