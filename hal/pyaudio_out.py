"""Audio playback through PortAudio (pyaudio). ``write`` blocks until played: the caller's thread waits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from hal.interfaces import HardwareError


def find_device(pa: Any, name: str, direction: str) -> int | None:
    """Index of the first PortAudio device whose name contains ``name``; None for the default."""
    if not name:
        return None
    key = "maxOutputChannels" if direction == "output" else "maxInputChannels"
    for index in range(pa.get_device_count()):
        info = pa.get_device_info_by_index(index)
        if name in str(info.get("name", "")) and info.get(key, 0) > 0:
            return index
    raise HardwareError(f"audio: no {direction} device named {name!r}")


class PyAudioOut:
    """One output stream, kept open while the rate stays the same: an announcement written in blocks
    (so that feedback can cut in) plays without gaps between them."""

    def __init__(self, device_name: str = "", volume: float = 1.0, open_pyaudio: Callable[[], Any] | None = None):
        if open_pyaudio is None:
            import pyaudio

            open_pyaudio = pyaudio.PyAudio
        self._pa = open_pyaudio()
        self._device_index = find_device(self._pa, device_name, "output")
        self._volume = volume
        self._stream: Any = None
        self._rate = 0

    def write(self, samples: np.ndarray, rate: int, label: str) -> None:
        pcm = (np.clip(samples * self._volume, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        stream = self._open(rate)
        try:
            stream.write(pcm)
        except OSError as exc:
            self._close_stream()  # the next sound opens the device again
            raise HardwareError(f"audio: playing failed: {exc}") from exc

    def _open(self, rate: int) -> Any:
        if self._stream is not None and rate == self._rate:
            return self._stream
        self._close_stream()
        try:
            self._stream = self._pa.open(
                format=self._pa.get_format_from_width(2),
                channels=1,
                rate=rate,
                output=True,
                output_device_index=self._device_index,
            )
        except OSError as exc:
            raise HardwareError(f"audio: cannot open the output device: {exc}") from exc
        self._rate = rate
        return self._stream

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop_stream()  # lets the last samples play out
            stream.close()

    def close(self) -> None:
        self._close_stream()
        self._pa.terminate()
