"""Audio playback through PortAudio (pyaudio). ``write`` blocks until played: the caller's thread waits.

Samples go out as 32-bit integers at 48 kHz on ``channels`` channels, what an I2S card takes natively
(the Pi's I2S interface moves stereo frames only; a MAX98357A plays the mix of both): every sound is
resampled to that rate, so one stream, opened once, plays them all without a gap or a click between
them. PortAudio converts for a card that wants fewer bits; a card without 48 kHz gets its own rate."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from hal.interfaces import HardwareError, SpeakerUnderrun
from hal.sound_card import ASOUND, open_portaudio

FULL_SCALE = 2**31 - 1
PLAY_RATE = 48_000
PERIOD_FRAMES = 16384
"""The card's period at 48 kHz (341 ms, as the microphone's; ALSA keeps two, 683 ms in all): the thread that
plays is woken once a period has played and must write again before the other one has. PortAudio's own
choice for an I2S card, 8.7 ms, runs dry at any busy moment; on the emulated board periods of 43 ms ran
dry a few times in every announcement, 171 ms still once or twice. Feedback does not wait behind the
buffer: ``cut`` drops it (docs/audio.md: ≤ 100 ms)."""
OUTPUT_UNDERFLOWED = -9980
"""PortAudio's paOutputUnderflowed, reported at the first write after the card ran dry. PyAudio raises it
(``exception_on_underflow``) as the error number of an ``OSError`` after writing the block, and, as after
any error, closes the stream: what it held since the card ran dry (at most the block before) is lost."""


def resample(samples: np.ndarray, rate: int, to: int) -> np.ndarray:
    """Linear interpolation: enough for tones and speech going up to a codec's native rate."""
    count = round(len(samples) * to / rate)
    return np.interp(np.arange(count) * rate / to, np.arange(len(samples)), samples).astype(np.float32)


class PyAudioOut:
    """One output stream, kept open: an announcement written in blocks (so that feedback can cut in)
    plays without gaps between them."""

    def __init__(self, device_name: str = "", volume: float = 1.0, channels: int = 1,
                 open_pyaudio: Callable[[], Any] | None = None, asound: Path = ASOUND,
                 prioritise: Callable[[], str] | None = None):
        """``prioritise`` (the device's ``make_realtime``) is asked once for each thread that plays."""
        self._pa, self._device_index, self._int32 = open_portaudio(device_name, "output", open_pyaudio, asound)
        self._prioritise = prioritise
        self._prioritised: set[int] = set()
        self.scheduling = "ordinary scheduling"
        """How the thread that plays is scheduled; the HIL reads the same from ``ps``."""
        self._volume = volume
        self._channels = channels
        self._stream: Any = None
        self._device_rate = 0  # the stream's own
        self._capacity = 0  # frames the stream takes without waiting while nothing is queued
        self._returned = 0.0  # when the last write returned (monotonic), 0 before the stream's first
        self._longest_away = 0.0  # the longest time between two writes since the last underrun reported

    def write(self, samples: np.ndarray, rate: int, label: str) -> None:
        if self._prioritise is not None and threading.get_ident() not in self._prioritised:
            self._prioritised.add(threading.get_ident())
            self.scheduling = self._prioritise()
        stream = self._open()
        if self._device_rate != rate:
            samples = resample(samples, rate, self._device_rate)
        mono = (np.clip(samples.astype(np.float64) * self._volume, -1.0, 1.0) * FULL_SCALE).astype("<i4")
        pcm = np.repeat(mono, self._channels).tobytes()  # the same sound in every slot
        if self._returned:
            self._longest_away = max(self._longest_away, time.monotonic() - self._returned)
        try:
            stream.write(pcm, exception_on_underflow=True)
        except OSError as exc:
            self._stream, self._returned = None, 0.0  # PyAudio closed it; the next write opens the device again
            if exc.errno != OUTPUT_UNDERFLOWED:
                raise HardwareError(f"audio: playing failed: {exc}") from exc
            self._ran_dry(pcm)
        self._returned = time.monotonic()

    def _ran_dry(self, pcm: bytes) -> None:
        """The block is played again on a new stream, and the gap reported: how long the thread was away
        between two writes tells whether it came back too late (away longer than the buffer) or was woken
        too late inside a write (the card's interrupt, or another thread holding the interpreter)."""
        away, self._longest_away = self._longest_away, 0.0
        try:
            self._open().write(pcm)
        except OSError as exc:
            self._stream = None
            raise HardwareError(f"audio: playing failed after the speaker ran dry: {exc}") from exc
        self._returned = time.monotonic()
        buffered = 2 * PERIOD_FRAMES / self._device_rate
        raise SpeakerUnderrun(f"audio: the speaker ran dry; the longest wait between two blocks before was "
                              f"{away * 1000:.0f} ms, its buffer holds {buffered * 1000:.0f} ms")

    def _open(self) -> Any:
        if self._stream is not None:
            return self._stream
        try:
            device_rate = self._supported_rate(PLAY_RATE)
            self._stream = self._pa.open(
                format=self._int32,
                channels=self._channels,
                rate=device_rate,
                output=True,
                output_device_index=self._device_index,
                frames_per_buffer=PERIOD_FRAMES,
            )
            self._capacity = self._stream.get_write_available()
        except OSError as exc:
            raise HardwareError(f"audio: cannot open the output device: {exc}") from exc
        self._device_rate = device_rate
        return self._stream

    def cut(self, rate: int) -> int:
        """Closing a PortAudio stream discards what waits in it (as ``Pa_AbortStream``); the next write
        opens it again."""
        stream, self._stream = self._stream, None
        self._returned = 0.0  # time without a stream is no wait between blocks
        if stream is None:
            return 0
        waiting = 0
        with contextlib.suppress(OSError):
            waiting = max(0, self._capacity - stream.get_write_available())
        with contextlib.suppress(OSError):
            stream.close()
        return round(waiting * rate / self._device_rate)

    def _supported_rate(self, rate: int) -> int:
        """``rate`` if the device plays it, else the device's own (a raw ALSA ``hw:`` device takes only its
        native rates)."""
        info = (self._pa.get_device_info_by_index(self._device_index) if self._device_index is not None
                else self._pa.get_default_output_device_info())
        try:
            self._pa.is_format_supported(rate, output_device=info["index"], output_channels=self._channels,
                                         output_format=self._int32)
        except ValueError:  # PyAudio's answer for an unsupported rate ("Invalid sample rate", -9997)
            return int(info["defaultSampleRate"])
        return rate

    def close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.stop_stream()  # lets the last samples play out
                stream.close()
        self._pa.terminate()
