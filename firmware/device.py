"""The real hardware of the body cam, built from the config."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from firmware.config import AudioSettings, BatterySettings, CameraSettings, Config
from firmware.hardware import Hardware, build_gpio
from hal.gpio import pin_factory
from hal.interfaces import Camera, Display, HardwareError
from hal.luma_display import LumaDisplay, PanelSpec, open_luma_device
from hal.luma_gpio import LumaGpio
from hal.max17048 import Max17048Gauge
from hal.missing_display import MissingDisplay
from hal.missing_speaker import MissingSpeaker
from hal.picamera2_camera import Picamera2Camera
from hal.pyaudio_in import PyAudioIn
from hal.pyaudio_out import PyAudioOut
from hal.realtime import make_realtime
from hal.sound_card import ASOUND
from hal.system import DiskSpace, SystemClock, boot_id, power_off

CameraFactory = Callable[[CameraSettings], Camera]
"""Builds the camera of a rig without a camera module (``camera.source = "test-pattern"``)."""

DRIVER_PACKAGES = {"gpiozero", "luma", "smbus2", "picamera2", "lgpio", "RPi"}
"""Their own exception types report missing buses, pins and panels."""


def panel_spec(config: Config) -> PanelSpec:
    d = config.display
    return PanelSpec(d.driver, d.width, d.height, d.rotate, d.spi_port, d.spi_device, d.spi_speed_hz, d.gpio_dc,
                     d.gpio_rst, d.h_offset, d.v_offset, d.gpio_backlight)


def build_device_hardware(config: Config, test_pattern: CameraFactory) -> Hardware:
    """The camera's devices; a missing driver or bus is a HardwareError that says what to do.

    ``test_pattern`` comes from the simulator, which sits above the firmware: the composition root
    (``bodycam.camera``) passes it in."""
    try:
        return _build(config, test_pattern)
    except ImportError as exc:
        raise HardwareError(
            f"{exc.name or exc} is not installed: the device needs pip install '.[device]' "
            "(on a laptop, use `bodycam sim`)"
        ) from exc
    except Exception as exc:
        if _driver_error(exc):
            raise HardwareError(f"{type(exc).__name__}: {exc}") from exc
        raise


def _driver_error(exc: Exception) -> bool:
    return isinstance(exc, OSError | HardwareError) or type(exc).__module__.split(".")[0] in DRIVER_PACKAGES


def open_display(config: Config, gpio: LumaGpio, faults: list[tuple[str, str]]) -> Display:
    """The front display, or a missing one when its panel cannot be opened (SPI not switched on yet, a
    loose cable): the camera records without it, and ``faults`` says why."""
    d = config.display
    try:
        return LumaDisplay(open_luma_device(panel_spec(config), gpio=gpio), d.driver, d.h_offset, d.v_offset)
    except Exception as exc:
        if not _driver_error(exc):
            raise
        faults.append(("display", f"{type(exc).__name__}: {exc}"))
        return MissingDisplay(d.width, d.height)


def open_gauge(battery: BatterySettings, faults: list[tuple[str, str]]) -> Max17048Gauge | None:
    """The fuel gauge, or None when there is none or it cannot be opened (e.g. I2C not enabled): the
    camera records without it, and ``faults`` says why."""
    if battery.gauge == "none":
        return None
    try:
        return Max17048Gauge(battery.i2c_bus, battery.i2c_address)
    except HardwareError as exc:
        faults.append(("gauge", str(exc)))
        return None


def open_speaker(audio: AudioSettings, faults: list[tuple[str, str]],
                 asound: Path = ASOUND) -> PyAudioOut | MissingSpeaker:
    """The speaker's card, or a silent one when it is not there (its overlay not yet in effect): the
    camera records without announcements, and ``faults`` says why."""
    try:
        return PyAudioOut(audio.output_device, audio.volume, audio.output_channels, asound=asound,
                          prioritise=make_realtime)
    except HardwareError as exc:
        faults.append(("speaker", str(exc)))
        return MissingSpeaker(str(exc))


def open_microphone(audio: AudioSettings, now: Callable[[], float], faults: list[tuple[str, str]],
                    asound: Path = ASOUND) -> PyAudioIn | None:
    """The microphone's card, or None when it is off or not there: the camera records picture only."""
    if not audio.microphone:
        return None
    try:
        return PyAudioIn(now, audio.input_device, audio.input_channels, audio.input_slot, audio.input_gain_db,
                         asound=asound, prioritise=make_realtime)
    except HardwareError as exc:
        faults.append(("microphone", str(exc)))
        return None


def open_camera(camera: CameraSettings, test_pattern: CameraFactory) -> Camera:
    """The camera module, or the test pattern of a rig without one (encoded on the CPU: keep it small)."""
    if camera.source == "test-pattern":
        return test_pattern(camera)
    return Picamera2Camera(size=(camera.width, camera.height), fps=camera.fps,
                           preview_size=(camera.preview_width, camera.preview_height), bitrate=camera.bitrate)


def _build(config: Config, test_pattern: CameraFactory) -> Hardware:
    clock = SystemClock()
    factory = pin_factory(config.gpio.pin_factory)
    buttons, indicators = build_gpio(config, factory, clock.now, prioritise=make_realtime)
    c = config.camera
    camera = open_camera(c, test_pattern)
    faults: list[tuple[str, str]] = []
    audio = open_speaker(config.audio, faults)
    microphone = open_microphone(config.audio, clock.now, faults)
    gauge = open_gauge(config.battery, faults)
    return Hardware(
        clock=clock,
        camera=camera,
        buttons=buttons,
        display=open_display(config, LumaGpio(factory), faults),
        audio=audio,
        microphone=microphone,
        indicators=indicators,
        gauge=gauge,
        faults=faults,
        storage=DiskSpace(Path(config.storage.data_dir)),
        power_off=power_off,
        video_format={"codec": "h264", "width": c.width, "height": c.height, "fps": c.fps},
        boot_id=boot_id(),
        closers=[audio.close, *([microphone.close] if microphone else []), indicators.close, buttons.close,
                 *([camera.close] if isinstance(camera, Picamera2Camera) else [])],
    )
