"""The seams between firmware and hardware. Real adapters live beside this file, simulated ones in sim/."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, Protocol

import numpy as np

from bodycam.errors import BodycamError
from hal.pixels import PreviewFrame

LedMode = Literal["off", "on", "blink"]


class HardwareError(BodycamError, RuntimeError):
    """A device did not respond as expected; the message says which and why."""

    prefix = "hardware: "


class SpeakerUnderrun(HardwareError):
    """The speaker's buffer ran dry before a write: what it played has a gap. What was written still plays,
    so the sound goes on; the gap is reported."""


@dataclass(frozen=True)
class EncodedPacket:
    """One encoded access unit as it leaves the encoder."""

    data: bytes
    keyframe: bool
    pts_us: int
    """Presentation time in µs on the monotonic clock shared by video and audio."""
    stream: Literal["video", "audio"] = "video"


@dataclass(frozen=True)
class SoundGap:
    """Sound the microphone lost (an overrun while the CPU was busy): from ``t`` (monotonic s), for
    ``seconds``. The picture goes on; the gap is logged, audited and shown with the recording."""

    t: float
    seconds: float


@dataclass(frozen=True)
class BatteryReading:
    percent: float
    charging: bool
    minutes_left: float | None
    """Estimated from the discharge rate; None while charging or when the rate is unknown."""


class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds: the time base of events, timers and packet timestamps."""

    def utc(self) -> datetime:
        """Wall-clock time for headers and file names (may jump; never used for intervals)."""

    def utc_at(self, t: float) -> datetime:
        """Wall-clock time of the monotonic instant ``t``."""

    def synchronised(self) -> bool:
        """Whether the wall clock is synchronised to a time source (recorded in every segment)."""


class CameraSink(Protocol):
    """Where a running camera delivers; called from the camera's own thread."""

    def packet(self, packet: EncodedPacket) -> None: ...

    def preview(self, frame: PreviewFrame, t: float) -> None:
        """A frame of the low-resolution stream, taken at ``t``."""

    def fault(self, detail: str) -> None: ...


class Camera(Protocol):
    def prepare(self) -> None:
        """Open and configure the camera (its buffers included) without streaming, so that a later
        ``start`` only starts it; raises HardwareError when the camera cannot be opened."""

    def start(self, sink: CameraSink) -> None:
        """Start streaming (preparing first if need be); raises HardwareError when the camera cannot be
        opened."""

    def stop(self) -> None: ...


ButtonEdge = Callable[[str, bool, float], None]
"""``(button name, pressed, t)`` for every debounced edge."""


class Buttons(Protocol):
    def listen(self, on_edge: ButtonEdge) -> None: ...

    def close(self) -> None: ...


class Display(Protocol):
    @property
    def size(self) -> tuple[int, int]: ...

    def power(self, on: bool) -> None:
        """Off puts the panel to sleep (not merely black pixels): that is what saves the battery."""

    def brightness(self, level: float) -> None:
        """0.0–1.0."""

    def show(self, frame: np.ndarray) -> None:
        """An RGB ``uint8`` frame (height × width × 3) of ``size``."""


class AudioOut(Protocol):
    def write(self, samples: np.ndarray, rate: int, label: str) -> None:
        """Play mono float32 samples in [-1, 1]; returns when played (the caller's thread waits)."""

    def cut(self, rate: int) -> int:
        """Drop what was written and has not sounded yet (feedback must not wait behind it); how many
        samples at ``rate`` that was, so that an interrupted announcement goes on from there."""


class AudioIn(Protocol):
    """The microphone: encoded audio packets (``stream="audio"``) on the same clock as the video."""

    @property
    def format(self) -> dict[str, object]:
        """Codec, sample rate, channels and codec extradata, for segment headers and export."""

    def start(self, on_packet: Callable[[EncodedPacket], None], gain: Callable[[], float],
              on_gap: Callable[[SoundGap], None]) -> None:
        """Capture until ``stop``; ``gain()`` scales the samples (lowered while the speaker plays);
        ``on_gap`` hears of every stretch of sound lost (on the capture thread)."""

    def level(self, seconds: float) -> tuple[float, float]:
        """RMS and peak dBFS of what it hears for ``seconds``, while not capturing (the self-test)."""

    def stop(self) -> None: ...


class Indicators(Protocol):
    def set_led(self, name: str, mode: LedMode) -> None: ...

    def vibrate(self, on_s: float, off_s: float, count: int) -> None:
        """Pulse the motor ``count`` times without blocking the caller."""


class PowerGauge(Protocol):
    def read(self) -> BatteryReading:
        """Raises HardwareError when the gauge does not answer."""


class StorageSpace(Protocol):
    def usage(self) -> tuple[int, int]:
        """``(free bytes, total bytes)`` of the filesystem holding the recordings."""
