"""Audio playback through PortAudio (pyaudio), on a thread of its own so callers never block."""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable

import numpy as np

from hal.interfaces import HardwareError

log = logging.getLogger(__name__)


class PyAudioOut:
    def __init__(self, device_name: str = "", volume: float = 1.0, open_pyaudio: Callable[[], object] | None = None):
        if open_pyaudio is None:
            import pyaudio

            open_pyaudio = pyaudio.PyAudio
        self._pa = open_pyaudio()
        self._device_index = self._find_device(device_name) if device_name else None
        self._volume = volume
        self._queue: queue.Queue[tuple[np.ndarray, int] | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="audio-out", daemon=True)
        self._thread.start()

    def _find_device(self, name: str) -> int:
        for index in range(self._pa.get_device_count()):  # type: ignore[attr-defined]
            info = self._pa.get_device_info_by_index(index)  # type: ignore[attr-defined]
            if name in str(info.get("name", "")) and info.get("maxOutputChannels", 0) > 0:
                return index
        raise HardwareError(f"audio: no output device named {name!r}")

    def play(self, samples: np.ndarray, rate: int, label: str) -> None:
        self._queue.put((samples, rate))

    def _run(self) -> None:
        while (item := self._queue.get()) is not None:
            samples, rate = item
            pcm = (np.clip(samples * self._volume, -1.0, 1.0) * 32767).astype("<i2").tobytes()
            try:
                stream = self._pa.open(  # type: ignore[attr-defined]
                    format=self._pa.get_format_from_width(2),  # type: ignore[attr-defined]
                    channels=1,
                    rate=rate,
                    output=True,
                    output_device_index=self._device_index,
                )
                try:
                    stream.write(pcm)
                finally:
                    stream.stop_stream()
                    stream.close()
            except OSError as exc:  # a vanished device must not end playback for good
                log.error("audio playback failed: %s", exc)

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(timeout=5)
        self._pa.terminate()  # type: ignore[attr-defined]
