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


def resample(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    """Linear interpolation: enough for tones and speech going up to a codec's native rate."""
    count = round(len(samples) * to / rate)
    return np.interp(np.arange(count) * rate / to, np.arange(len(samples)), samples).astype(np.float32)


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
        self._rate = 0  # of the sounds the open stream plays
        self._device_rate = 0  # the stream's own

    def write(self, samples: np.ndarray, rate: int, label: str) -> None:
        stream = self._open(rate)
        if self._device_rate != rate:
            samples = resample(samples, rate, self._device_rate)
        pcm = (np.clip(samples * self._volume, -1.0, 1.0) * 32767).astype("<i2").tobytes()
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
            device_rate = self._supported_rate(rate)
            self._stream = self._pa.open(
                format=self._pa.get_format_from_width(2),
                channels=1,
                rate=device_rate,
                output=True,
                output_device_index=self._device_index,
            )
        except OSError as exc:
            raise HardwareError(f"audio: cannot open the output device: {exc}") from exc
        self._rate, self._device_rate = rate, device_rate
        return self._stream

    def _supported_rate(self, rate: int) -> int:
        """``rate`` if the device plays it, else the device's own: a raw ALSA ``hw:`` device (a USB or
        I2S codec) takes only its native rates, e.g. 48 kHz, and refuses the 16 kHz announcements."""
        info = (self._pa.get_device_info_by_index(self._device_index) if self._device_index is not None
                else self._pa.get_default_output_device_info())
        try:
            self._pa.is_format_supported(rate, output_device=info["index"], output_channels=1,
                                         output_format=self._pa.get_format_from_width(2))
        except ValueError:  # PyAudio's answer for an unsupported rate ("Invalid sample rate", -9997)
            return int(info["defaultSampleRate"])
        return rate

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            stream.stop_stream()  # lets the last samples play out
            stream.close()

    def close(self) -> None:
        self._close_stream()
        self._pa.terminate()
