"""``bodycam selftest``: is this camera fit for a shift? One line per failed check, with the fix."""

from __future__ import annotations

import math
import os
import stat
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from firmware.config import Config
from firmware.hardware import Hardware
from hal.interfaces import Display, EncodedPacket, HardwareError
from hal.pixels import PreviewFrame
from storage.keys import KeyFileError, load_device_keys

CAMERA_TIMEOUT_S = 5.0
MICROPHONE_S = 1.0


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""


def run_checks(config: Config, hardware: Hardware, wait: Callable[[threading.Event, float], bool],
               simulated: bool = False) -> list[Check]:
    data_dir = Path(config.storage.data_dir)
    return [
        _camera(hardware, wait),
        _guard("display", lambda: _blink(hardware.display),
               "check the panel's SPI wiring and display.* in the config"),
        _guard("buttons", lambda: hardware.buttons.listen(lambda *edge: None),
               "check the button pins (buttons.display_pin, buttons.record_pin) and the gpio group"),
        _guard("audio", lambda: hardware.audio.write(_silence(), 16_000, "selftest"),
               "check audio.output_device and that the service user is in the audio group"),
        _microphone(config, hardware),
        _battery(hardware),
        _storage(config, hardware, data_dir),
        _keys(data_dir),
        _clock(hardware, simulated),
        Check("config", True, "valid"),  # an invalid config stopped the command before any check
    ]


def _clock(hardware: Hardware, simulated: bool) -> Check:
    synchronised = hardware.clock.synchronised()
    state = "synchronised" if synchronised else "not synchronised"
    if simulated:  # the laptop's clock is not the camera's business: say what recordings will carry
        return Check("clock", True, f"simulator: this computer's clock is {state}; recordings carry "
                                    f"clock_synchronised={str(synchronised).lower()}")
    return Check("clock", synchronised, state if synchronised
                 else f"{state}: recordings will carry clock_synchronised=false",
                 "enable NTP (timedatectl set-ntp true) and give the device network once per day")


def _silence() -> np.ndarray:
    return np.zeros(160, dtype=np.float32)


def _blink(display: Display) -> None:
    display.power(True)
    display.power(False)


def _guard(name: str, action: Callable[[], object], fix: str) -> Check:
    try:
        action()
    except (HardwareError, OSError) as exc:
        return Check(name, False, str(exc), fix)
    return Check(name, True, "responds")


def _microphone(config: Config, hardware: Hardware) -> Check:
    """What the microphone hears for a moment, after its gain: digital silence is a wrong slot or wire."""
    if hardware.microphone is None:
        fault = dict(hardware.faults).get("microphone")
        if fault is None:
            return Check("microphone", True, "off (audio.microphone = false)")
        return Check("microphone", False, fault, "put the microphone's overlay in audio.overlays, deploy and reboot")
    try:
        rms, peak = hardware.microphone.level(MICROPHONE_S)
    except HardwareError as exc:
        return Check("microphone", False, str(exc), "check audio.input_device and the audio group")
    if math.isinf(peak):
        return Check("microphone", False, "delivers digital silence",
                     f"check audio.input_slot ({config.audio.input_slot}: the microphone's L/R pin) and its data wire")
    return Check("microphone", True, f"{rms:.0f} dBFS RMS, peak {peak:.0f} dBFS, with "
                                     f"{config.audio.input_gain_db:g} dB gain (speech at 1 m: about -40 dBFS)")


def _camera(hardware: Hardware, wait: Callable[[threading.Event, float], bool]) -> Check:
    sink = _Sink()
    try:
        hardware.camera.start(sink)
        delivered = wait(sink.packets, CAMERA_TIMEOUT_S) and wait(sink.previews, CAMERA_TIMEOUT_S)
    except HardwareError as exc:
        return Check("camera", False, str(exc), "check the camera cable and `rpicam-hello --list-cameras`")
    finally:
        hardware.camera.stop()
    if not delivered:
        return Check("camera", False, f"no frames within {CAMERA_TIMEOUT_S:.0f} s",
                     "check the camera cable; reboot if another process holds the camera")
    return Check("camera", True, "delivers H.264 and preview frames")


class _Sink:
    def __init__(self) -> None:
        self.packets = threading.Event()
        self.previews = threading.Event()

    def packet(self, packet: EncodedPacket) -> None:
        self.packets.set()

    def preview(self, frame: PreviewFrame, t: float) -> None:
        self.previews.set()

    def fault(self, detail: str) -> None:
        pass


def _battery(hardware: Hardware) -> Check:
    if hardware.gauge is None:
        return Check("battery", True, "no gauge configured (battery.gauge = none)")
    try:
        reading = hardware.gauge.read()
    except HardwareError as exc:
        return Check("battery", False, str(exc), "check the fuel gauge on I2C (battery.i2c_bus, i2c_address)")
    return Check("battery", True, f"{reading.percent:.0f} %" + ("" if reading.charging else ", discharging"))


def _storage(config: Config, hardware: Hardware, data_dir: Path) -> Check:
    fix = f"make {data_dir} writable for the service user, or free space on the card"
    probe = data_dir / ".selftest"
    try:
        with open(probe, "wb") as f:
            f.write(b"x" * 4096)
            f.flush()
            os.fsync(f.fileno())
        probe.unlink()
        free, total = hardware.storage.usage()
    except OSError as exc:
        return Check("storage", False, f"{data_dir}: {exc.strerror}", fix)
    reserve = config.storage.reserve_mb * 1024 * 1024
    if free <= reserve:
        return Check("storage", False, f"{free // 2**20} MB free, at or below the {config.storage.reserve_mb} MB "
                     "reserve: recording would stop at once", "offload recordings to free the card")
    return Check("storage", True, f"writable, {free // 2**20} of {total // 2**20} MB free")


def _keys(data_dir: Path) -> Check:
    keys_dir = data_dir / "keys"
    fix = f"bodycam keys device --data-dir {data_dir}; install the evidence office's agency.pub in {keys_dir}"
    try:
        load_device_keys(keys_dir)
    except KeyFileError as exc:
        return Check("keys", False, str(exc), fix)
    mode = stat.S_IMODE((keys_dir / "device.key").stat().st_mode)
    if mode & 0o077:  # the service's alone (deploy: bodycam, 0400): its group holds the station's login
        return Check("keys", False, f"{keys_dir / 'device.key'} has mode {mode:04o}: others can read or change "
                     "the signing key", f"chmod 400 {keys_dir / 'device.key'}")
    if not (keys_dir / "station.pub").exists():
        return Check("keys", True, "device key and agency public key present; no station key yet: recordings stay "
                     "on the camera until it is enrolled (bodycam deploy --store)")
    return Check("keys", True, "device key, agency and station public keys present")


def report(checks: list[Check]) -> str:
    lines = []
    for check in checks:
        mark = "ok  " if check.ok else "FAIL"
        lines.append(f"{mark} {check.name:<8} {check.detail}" + ("" if check.ok else f"  → fix: {check.fix}"))
    return "\n".join(lines)
