"""The device configuration: a TOML file validated against the schema below at start-up.

Every setting is a dataclass field with its default and a one-line description; ``docs/config.md`` is
generated from these fields (``make docs``), so the documentation cannot drift from the code. A wrong
key, type or value raises :class:`ConfigError` naming the file, line and key.
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
import typing
from dataclasses import dataclass, field
from pathlib import Path

from bodycam.errors import EXIT_USAGE, BodycamError


def setting(default: object, doc: str, *, choices: tuple[object, ...] = (), low: float | None = None,
            high: float | None = None) -> typing.Any:
    meta = {"doc": doc, "choices": choices, "low": low, "high": high}
    if isinstance(default, list):
        return field(default_factory=lambda: list(default), metadata=meta)
    return field(default=default, metadata=meta)


OVERLAY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.,=-]{0,99}")
"""A ``dtoverlay=`` value with its parameters, e.g. ``max98357a,sdmode-pin=16``: one line of config.txt."""

SPI_SPEEDS_HZ = tuple(int(mhz * 1_000_000) for mhz in (0.5, 1, 2, 4, 8, 16, 20, 24, 28, 32, 36, 40, 44, 48, 50, 52))
"""luma.core 2.6's spi() asserts one of these (luma/core/interface/serial.py)."""


@dataclass(frozen=True)
class DeviceSettings:
    id: str = setting("", "Device id written into recordings and logs; empty: the host name.")
    language: str = setting("de", "Language of display texts and announcements.", choices=("de", "en"))


@dataclass(frozen=True)
class GpioSettings:
    pin_factory: str = setting(
        "lgpio", "gpiozero pin backend on the device.", choices=("lgpio", "rpigpio", "native", "mock")
    )


@dataclass(frozen=True)
class ButtonSettings:
    display_pin: int = setting(17, "BCM pin of the DISPLAY button.", low=0, high=27)
    record_pin: int = setting(27, "BCM pin of the RECORD button.", low=0, high=27)
    pull_up: bool = setting(True, "Buttons connect the pin to ground (internal pull-up).")
    debounce_ms: int = setting(30, "Edges closer than this to the previous accepted edge are contact bounce.",
                               low=0, high=500)
    hold_start_s: float = setting(1.5, "RECORD hold that starts recording from `worn` (imminent danger).",
                                  low=0.5, high=10)
    hold_stop_s: float = setting(3.0, "RECORD hold that stops a recording.", low=1, high=10)
    hold_tick_s: float = setting(1.0, "Interval of haptic ticks while the stop hold is in progress.",
                                 low=0.2, high=5)


@dataclass(frozen=True)
class IndicatorSettings:
    ready_led_pin: int = setting(5, "BCM pin of the ready LED (stage `worn`).", low=0, high=27)
    green_led_pin: int = setting(6, "BCM pin of the green LED (stage `display`).", low=0, high=27)
    red_led_pin: int = setting(13, "BCM pin of the red LED (stage `recording`).", low=0, high=27)
    vibration_pin: int = setting(12, "BCM pin of the vibration motor driver (PWM).", low=0, high=27)
    vibration_strength: float = setting(0.8, "PWM duty cycle of the vibration motor.", low=0.1, high=1.0)


@dataclass(frozen=True)
class DisplaySettings:
    driver: str = setting("ssd1351", "Front display controller.", choices=("ssd1351", "st7789", "ili9341"))
    width: int = setting(128, "Panel width in pixels.", low=16, high=480)
    height: int = setting(128, "Panel height in pixels.", low=16, high=480)
    rotate: int = setting(0, "Rotation in steps of 90°.", low=0, high=3)
    spi_port: int = setting(0, "SPI port.", low=0, high=6)
    spi_device: int = setting(0, "SPI chip select.", low=0, high=2)
    spi_speed_hz: int = setting(16_000_000, "SPI clock: one of the speeds luma.core's spi() accepts.",
                                choices=SPI_SPEEDS_HZ)
    gpio_dc: int = setting(24, "BCM pin of the panel's data/command line.", low=0, high=27)
    gpio_rst: int = setting(25, "BCM pin of the panel's reset line.", low=0, high=27)
    gpio_backlight: int = setting(18, "BCM pin of the backlight (ST7789 and ILI9341 only).", low=0, high=27)
    h_offset: int = setting(0, "Horizontal offset of the visible area in controller RAM (not ST7789).", low=0,
                            high=100)
    v_offset: int = setting(0, "Vertical offset of the visible area in controller RAM (not ST7789).", low=0,
                            high=100)
    idle_timeout_s: float = setting(0.0, "Back to `worn` after this long in `display` without a press; 0: off.",
                                    low=0, high=3600)
    brightness: float = setting(1.0, "Panel brightness (OLED contrast current).", low=0.05, high=1.0)
    dim_after_s: float = setting(0.0, "Dim after this long in `display` without a press; 0: off.", low=0, high=3600)
    dim_brightness: float = setting(0.3, "Brightness while dimmed.", low=0.0, high=1.0)
    mirror: bool = setting(True, "Show the picture mirrored, like a mirror (people see themselves).")
    preview_fps: float = setting(25.0, "Upper limit of preview frames per second.", low=1, high=60)


@dataclass(frozen=True)
class CameraSettings:
    source: str = setting(
        "picamera2", "Where the picture comes from: the camera module (picamera2), or `test-pattern`, a moving "
        "test picture encoded in software (PyAV) for bench rigs and the HIL machine, which have no camera module.",
        choices=("picamera2", "test-pattern"))
    width: int = setting(1920, "Recording width.", low=160, high=4608)
    height: int = setting(1080, "Recording height.", low=120, high=2592)
    fps: int = setting(30, "Recording frame rate.", low=1, high=60)
    bitrate: int = setting(8_000_000, "H.264 bit rate of the recording stream.", low=500_000, high=25_000_000)
    preview_width: int = setting(320, "Width of the low-resolution preview stream.", low=64, high=1280)
    preview_height: int = setting(240, "Height of the low-resolution preview stream.", low=48, high=960)
    fault_retry_s: float = setting(5.0, "Interval between restarts of a faulty camera.", low=1, high=300)


@dataclass(frozen=True)
class PrerecordSettings:
    seconds: float = setting(30.0, "Seconds before the press that a recording includes (whole GOPs).", low=0,
                             high=120)
    max_mb: int = setting(64, "RAM limit of the pre-record buffer.", low=4, high=256)
    audio: bool = setting(False, "Include sound in the pre-record (where the deployment allows it).")
    stages: list[str] = setting(["display"], "Stages in which the camera keeps a pre-record buffer.",
                                choices=("worn", "display"))


@dataclass(frozen=True)
class RecordingSettings:
    reminder_interval_s: float = setting(120.0, "Reminder vibration interval while recording.", low=10, high=3600)
    segment_s: float = setting(60.0, "Longest segment; segments are cut at the next keyframe after this.", low=2,
                               high=600)
    chunk_s: float = setting(1.0, "Longest time between two flushed, fsync'd chunks (what a power cut may lose).",
                             low=0.1, high=5)
    cipher: str = setting("chacha20-poly1305", "Payload cipher (ChaCha20 is fast on Pis without AES instructions).",
                          choices=("chacha20-poly1305", "aes-256-gcm"))


@dataclass(frozen=True)
class AudioSettings:
    announce_display: bool = setting(True, "Spoken announcement when the display stage starts.")
    announce_recording_start: bool = setting(True, "Spoken announcement when recording starts.")
    announce_recording_stop: bool = setting(True, "Spoken announcement when recording stops.")
    announcements_dir: str = setting("", "Folder with recorded announcements (<language>/<name>.wav) replacing "
                                          "the bundled ones; empty: bundled only.")
    overlays: list[str] = setting(["googlevoicehat-soundcard"],
                                  "Boot-config overlays of the sound parts (`dtoverlay=` lines deploy writes); the "
                                  "default drives a MAX98357A amp and an I2S microphone on the Pi's one I2S bus.")
    output_device: str = setting("sndrpigooglevoi", "Speaker: the ALSA card id (`aplay -l`, before the brackets) or "
                                 "part of a PortAudio device name; empty: the system default (HDMI on a fresh card).")
    output_channels: int = setting(2, "Channels the speaker's card is opened with (I2S frames are stereo).", low=1,
                                   high=2)
    volume: float = setting(0.8, "Playback volume.", low=0, high=1)
    microphone: bool = setting(True, "Record sound with the picture.")
    input_device: str = setting("sndrpigooglevoi", "Microphone: the ALSA card id (`arecord -l`) or part of a "
                                "PortAudio device name; empty: the system default.")
    input_channels: int = setting(2, "Channels the microphone's card delivers (an I2S microphone: 2 slots).", low=1,
                                  high=2)
    input_slot: int = setting(0, "The channel the microphone speaks in (I2S: 0 with its L/R pin to ground, 1 to "
                                 "3.3 V).", low=0, high=1)
    input_gain_db: float = setting(20.0, "Gain on the microphone's 24-bit samples (an INMP441 hears speech at 1 m "
                                   "near -60 dBFS).", low=0, high=48)


@dataclass(frozen=True)
class BatterySettings:
    gauge: str = setting("max17048", "Fuel gauge chip; `none` for mains-powered bench setups.",
                         choices=("max17048", "none"))
    i2c_bus: int = setting(1, "I2C bus of the fuel gauge.", low=0, high=10)
    i2c_address: int = setting(0x36, "I2C address of the fuel gauge.", low=0x03, high=0x77)
    poll_s: float = setting(60.0, "Interval between fuel gauge readings.", low=5, high=600)
    warn_percent: list[float] = setting([20.0, 10.0], "Charge levels that warn (display and 4 tones).",
                                        low=1, high=100)
    critical_percent: float = setting(5.0, "Charge level that stops recording and shuts down.", low=1, high=50)


@dataclass(frozen=True)
class StorageSettings:
    data_dir: str = setting("/var/lib/bodycam", "Where recordings, keys and the audit log live.")
    reserve_mb: int = setting(200, "Recording stops when free space falls to this reserve.", low=10, high=100_000)
    warn_percent: float = setting(10.0, "Free space below this warns on the display.", low=0, high=90)
    poll_s: float = setting(30.0, "Interval between free-space checks.", low=1, high=600)
    retention_days: float = setting(14.0, "Footage older than this still on the device warns: offload is "
                                          "overdue (recordings leave only through a verified offload).",
                                    low=1, high=365)


@dataclass(frozen=True)
class ControlRoomSettings:
    enabled: bool = setting(False, "Publish status and alerts to the control room's MQTT broker (opt-in: the staff "
                                   "council must agree). Never video, sound or pictures.")
    host: str = setting("", "The broker's host name or address, as `bodycam station broker --host` gave it.")
    port: int = setting(8883, "The broker's TLS port.", low=1, high=65535)
    queue_max: int = setting(500, "Messages kept on the card while the broker is out of reach; status messages "
                                  "make room before alerts.", low=10, high=100_000)


@dataclass(frozen=True)
class SimSettings:
    camera_width: int = setting(320, "Simulator: size of the synthetic H.264 stream (kept small for speed).",
                                low=64, high=1920)
    camera_height: int = setting(180, "Simulator: height of the synthetic H.264 stream.", low=48, high=1080)
    battery_percent: float = setting(100.0, "Simulator: charge at start.", low=0, high=100)
    storage_mb: int = setting(32_000, "Simulator: size of the simulated card.", low=100, high=1_000_000)
    boot_id: str = setting("", "Simulator: boot id to report; empty: this machine's (a different one "
                               "simulates a power cut between two runs).")


@dataclass(frozen=True)
class Config:
    device: DeviceSettings = field(default_factory=DeviceSettings)
    gpio: GpioSettings = field(default_factory=GpioSettings)
    buttons: ButtonSettings = field(default_factory=ButtonSettings)
    indicators: IndicatorSettings = field(default_factory=IndicatorSettings)
    display: DisplaySettings = field(default_factory=DisplaySettings)
    camera: CameraSettings = field(default_factory=CameraSettings)
    prerecord: PrerecordSettings = field(default_factory=PrerecordSettings)
    recording: RecordingSettings = field(default_factory=RecordingSettings)
    audio: AudioSettings = field(default_factory=AudioSettings)
    battery: BatterySettings = field(default_factory=BatterySettings)
    storage: StorageSettings = field(default_factory=StorageSettings)
    control_room: ControlRoomSettings = field(default_factory=ControlRoomSettings)
    sim: SimSettings = field(default_factory=SimSettings)


def override(config: Config, **sections: dict[str, object]) -> Config:
    """``config`` with some settings replaced, e.g. ``override(c, storage={"data_dir": "/tmp/x"})``."""
    changed = {name: dataclasses.replace(getattr(config, name), **values) for name, values in sections.items()}
    return dataclasses.replace(config, **changed)


class ConfigError(BodycamError, ValueError):
    """A configuration problem, phrased for the technician who wrote the file."""
    exit_code = EXIT_USAGE


def sections() -> list[tuple[str, type]]:
    return [(f.name, f.default_factory) for f in dataclasses.fields(Config)]  # type: ignore[misc]


def load(path: Path) -> Config:
    return parse(read(path), str(path))


def read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None


def parse(text: str, source: str = "<config>") -> Config:
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: not valid TOML: {exc}") from None
    lines = _key_lines(text)
    known = dict(sections())
    built: dict[str, typing.Any] = {}
    for name, value in raw.items():
        if name not in known:
            raise ConfigError(_where(source, lines, name) + f"unknown section [{name}]; "
                              f"known: {', '.join(known)}")
        if not isinstance(value, dict):
            raise ConfigError(_where(source, lines, name) + f"[{name}] must be a table")
        built[name] = _section(known[name], name, value, source, lines)
    config = Config(**built)
    _check_relations(config, source, lines)
    return config


def _section(cls: type, name: str, values: dict[str, object], source: str, lines: dict[str, int]) -> object:
    fields = {f.name: f for f in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    checked = {}
    for key, value in values.items():
        dotted = f"{name}.{key}"
        if key not in fields:
            raise ConfigError(_where(source, lines, dotted) + f"unknown key {dotted}; known in [{name}]: "
                              f"{', '.join(fields)}")
        checked[key] = _value(dotted, hints[key], fields[key].metadata, value, _where(source, lines, dotted))
    return cls(**checked)


def _value(dotted: str, hint: object, meta: typing.Mapping[str, object], value: object, where: str) -> object:
    if typing.get_origin(hint) is list:
        (item_type,) = typing.get_args(hint)
        if not isinstance(value, list):
            raise ConfigError(where + f"{dotted} must be a list, got {value!r}")
        return [_scalar(dotted, item_type, meta, item, where) for item in value]
    return _scalar(dotted, hint, meta, value, where)


def _scalar(dotted: str, hint: object, meta: typing.Mapping[str, object], value: object, where: str) -> object:
    type_names = {bool: "true or false", int: "a whole number", float: "a number", str: "a string"}
    ok = isinstance(value, hint) and not (hint is int and isinstance(value, bool))  # type: ignore[arg-type]
    if hint is float and isinstance(value, int) and not isinstance(value, bool):
        value, ok = float(value), True
    if not ok:
        raise ConfigError(where + f"{dotted} must be {type_names[hint]}, got {value!r}")  # type: ignore[index]
    choices = typing.cast("list[object]", meta["choices"])
    if choices and value not in choices:
        raise ConfigError(where + f"{dotted} must be one of {', '.join(map(str, choices))}; got {value!r}")
    low, high = meta["low"], meta["high"]
    if (low is not None and value < low) or (high is not None and value > high):  # type: ignore[operator]
        raise ConfigError(where + f"{dotted} must be between {low} and {high}, got {value!r}")
    return value


def _check_relations(config: Config, source: str, lines: dict[str, int]) -> None:
    b = config.buttons
    if b.hold_stop_s <= b.hold_start_s:
        raise ConfigError(_where(source, lines, "buttons.hold_stop_s", "buttons.hold_start_s")
                          + "buttons.hold_stop_s must be longer than buttons.hold_start_s, so a stop is "
                            "always more deliberate than a start")
    pins = {
        "buttons.display_pin": b.display_pin,
        "buttons.record_pin": b.record_pin,
        "indicators.ready_led_pin": config.indicators.ready_led_pin,
        "indicators.green_led_pin": config.indicators.green_led_pin,
        "indicators.red_led_pin": config.indicators.red_led_pin,
        "indicators.vibration_pin": config.indicators.vibration_pin,
        "display.gpio_dc": config.display.gpio_dc,
        "display.gpio_rst": config.display.gpio_rst,
    }
    if config.display.driver != "ssd1351":
        pins["display.gpio_backlight"] = config.display.gpio_backlight
    owner: dict[int, str] = {}
    for key, pin in pins.items():
        if pin in owner:
            raise ConfigError(_where(source, lines, key, owner[pin]) + f"{key} and {owner[pin]} both use GPIO {pin}")
        owner[pin] = key
    audio = config.audio
    if audio.input_slot >= audio.input_channels:
        raise ConfigError(_where(source, lines, "audio.input_slot", "audio.input_channels")
                          + f"audio.input_slot {audio.input_slot} needs audio.input_channels above it "
                            f"(slots count from 0); got {audio.input_channels}")
    for overlay in audio.overlays:
        if not OVERLAY.fullmatch(overlay):
            raise ConfigError(_where(source, lines, "audio.overlays")
                              + f"audio.overlays: {overlay!r} is not an overlay name with parameters "
                                "(letters, digits, - _ . , = only: it becomes a dtoverlay= line)")
    if config.control_room.enabled and not config.control_room.host:
        raise ConfigError(_where(source, lines, "control_room.enabled")
                          + "control_room.enabled needs control_room.host, the broker's address")
    battery = config.battery
    if any(w <= battery.critical_percent for w in battery.warn_percent):
        raise ConfigError(_where(source, lines, "battery.warn_percent")
                          + "battery.warn_percent levels must all be above battery.critical_percent")


_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.-]+)\s*\]")
_KEY = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*=")


def _key_lines(text: str) -> dict[str, int]:
    """Map ``section`` and ``section.key`` to the line that defines them (tomllib keeps no positions)."""
    found: dict[str, int] = {}
    table = ""
    for number, line in enumerate(text.splitlines(), start=1):
        if header := _HEADER.match(line):
            table = header.group(1)
            found.setdefault(table, number)
        elif key := _KEY.match(line):
            dotted = f"{table}.{key.group(1)}" if table else key.group(1)
            found.setdefault(dotted, number)
            found.setdefault(dotted.split(".")[0], number)
    return found


def _where(source: str, lines: dict[str, int], *keys: str) -> str:
    """``file:line: `` of the first of ``keys`` the file defines, else of its section."""
    candidates = [*keys, *(k.split(".")[0] for k in keys)]
    line = next((lines[k] for k in candidates if k in lines), None)
    return f"{source}:{line}: " if line else f"{source}: "
