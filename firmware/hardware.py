"""The set of devices the firmware drives: real ones on the camera, simulated ones in the simulator."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from firmware.config import Config
from hal.gpio import GpioButtons, GpioIndicators
from hal.interfaces import AudioIn, AudioOut, Buttons, Camera, Clock, Display, Indicators, PowerGauge, StorageSpace


@dataclass
class Hardware:
    clock: Clock
    camera: Camera
    buttons: Buttons
    display: Display
    audio: AudioOut
    microphone: AudioIn | None
    indicators: Indicators
    gauge: PowerGauge | None
    storage: StorageSpace
    power_off: Callable[[], None]
    video_format: dict[str, object]
    """``codec``, ``width``, ``height``, ``fps`` of the recorded stream, for segment headers and export."""
    boot_id: str = ""
    """Tells a service restart (same boot: resume recording) from a power cut (new boot)."""
    realtime: bool = True
    """False when time is simulated: work that would run on threads runs inline, deterministically."""
    closers: list[Callable[[], None]] = field(default_factory=list)
    faults: list[tuple[str, str]] = field(default_factory=list)
    """Parts that failed to start, as (part, detail): the camera records without them and says so."""

    def close(self) -> None:
        for close in reversed(self.closers):
            close()


def build_gpio(
    config: Config, factory: object, now: Callable[[], float], schedule: Callable[..., object] | None = None,
    prioritise: Callable[[], str] | None = None,
) -> tuple[GpioButtons, GpioIndicators]:
    """Buttons and indicators on ``factory``'s pins, as wired in the config (device and simulator);
    ``prioritise`` (the device's ``make_realtime``) for the thread that times the vibration's pulses."""
    b, i = config.buttons, config.indicators
    timing: dict[str, Any] = {} if schedule is None else {"schedule": schedule}
    buttons = GpioButtons(
        {"display": b.display_pin, "record": b.record_pin},
        pull_up=b.pull_up,
        debounce_s=b.debounce_ms / 1000.0,
        now=now,
        factory=factory,
        **timing,
    )
    indicators = GpioIndicators(
        {"ready": i.ready_led_pin, "green": i.green_led_pin, "red": i.red_led_pin}, i.vibration_pin, factory=factory,
        vibration_strength=i.vibration_strength, prioritise=prioritise,
    )
    return buttons, indicators
