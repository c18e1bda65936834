"""The set of devices the firmware drives: real ones on the camera, simulated ones in the simulator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hal.interfaces import AudioOut, Buttons, Camera, Clock, Display, Indicators, PowerGauge, StorageSpace


@dataclass
class Hardware:
    clock: Clock
    camera: Camera
    buttons: Buttons
    display: Display
    audio: AudioOut
    indicators: Indicators
    gauge: PowerGauge | None
    storage: StorageSpace
    power_off: Callable[[], None]
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for close in reversed(self.closers):
            close()
