"""Simulated hardware behind the same interfaces as the device: real gpiozero on mock pins, a real luma
device object, a synthetic H.264 camera, a battery model and a simulated card."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from firmware.config import Config
from firmware.device import panel_spec
from firmware.hardware import Hardware, build_gpio
from hal.gpio import GpioIndicators, pin_factory
from hal.luma_display import PIXEL_FORMATS, LumaDisplay, open_luma_device
from hal.system import boot_id
from sim.audio import SimAudioOut
from sim.camera import Scheduler, SyntheticCamera
from sim.clock import VirtualClock
from sim.microphone import SimMicrophone
from sim.panel import PanelCapture
from sim.power import SimBattery, SimStorage
from storage.keys import DeviceKeys, ensure_sim_keys, load_device_keys


def sim_keys(config: Config) -> DeviceKeys:
    """The simulator's own, clearly labelled keys in ``<data-dir>/keys``, created on first run."""
    keys_dir = Path(config.storage.data_dir) / "keys"
    ensure_sim_keys(keys_dir)
    return load_device_keys(keys_dir)


@dataclass
class SimControls:
    """Handles the simulator (window, terminal, scenario) uses to act on the simulated device."""

    config: Config
    factory: object
    camera: SyntheticCamera
    battery: SimBattery
    storage: SimStorage
    display: LumaDisplay
    panel: PanelCapture
    indicators: GpioIndicators
    audio: SimAudioOut
    is_recording: Callable[[], bool] = field(default=lambda: False)
    powered_off: bool = False

    def _pin(self, button: str) -> object:
        number = {"display": self.config.buttons.display_pin, "record": self.config.buttons.record_pin}[button]
        return self.factory.pin(number)  # type: ignore[attr-defined]

    def set_button(self, button: str, pressed: bool) -> None:
        """Move the simulated contact: pressed pulls the pin to ground when pull-up is configured."""
        level_high = pressed != self.config.buttons.pull_up
        pin = self._pin(button)
        pin.drive_high() if level_high else pin.drive_low()  # type: ignore[attr-defined]

    def button_pressed(self, button: str) -> bool:
        return bool(self._pin(button).state) != self.config.buttons.pull_up  # type: ignore[attr-defined]


def build_sim_hardware(
    config: Config, clock: Scheduler, camera_source: Path | None = None, microphone_source: Path | None = None
) -> tuple[Hardware, SimControls]:
    factory = pin_factory("mock")
    buttons, indicators = build_gpio(config, factory, clock.now, clock.call_later)
    spec = panel_spec(config)
    panel = PanelCapture(spec.width, spec.height, PIXEL_FORMATS[spec.driver])  # the panel's own size
    display = LumaDisplay(open_luma_device(spec, serial=panel, backlight=panel.backlight), spec.driver,
                          spec.h_offset, spec.v_offset)
    camera = SyntheticCamera(
        clock,
        size=(config.sim.camera_width, config.sim.camera_height),
        fps=config.camera.fps,
        preview_size=(config.camera.preview_width, config.camera.preview_height),
        source=camera_source,
    )
    storage = SimStorage(config.sim.storage_mb * 1024 * 1024)
    realtime = not isinstance(clock, VirtualClock)
    audio = SimAudioOut(clock, Path(config.storage.data_dir) / "audio-out.wav", realtime)
    microphone = SimMicrophone(clock, microphone_source) if config.audio.microphone else None
    controls: SimControls
    battery = SimBattery(
        clock,
        {
            "camera": lambda: camera.running,
            "display": lambda: display.on,
            "recording": lambda: controls.is_recording(),
        },
        percent=config.sim.battery_percent,
    )
    clock.call_every(1.0, battery.update)
    controls = SimControls(config, factory, camera, battery, storage, display, panel, indicators, audio)

    def power_off() -> None:
        controls.powered_off = True

    hardware = Hardware(
        clock=clock,
        camera=camera,
        buttons=buttons,
        display=display,
        audio=audio,
        microphone=microphone,
        indicators=indicators,
        gauge=battery,
        storage=storage,
        power_off=power_off,
        video_format={"codec": "h264", "width": config.sim.camera_width, "height": config.sim.camera_height,
                      "fps": config.camera.fps},
        realtime=realtime,
        boot_id=config.sim.boot_id or boot_id(),
        closers=[audio.close, indicators.close, buttons.close],
    )
    return hardware, controls
