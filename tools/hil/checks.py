"""What ``make hil`` checks on the running machine, each a function that returns what it saw or raises
CheckFailed. Buttons are pressed the way a finger does it on gpio-sim: the line's pull, not a write to the
line, so the firmware's debounce, bias and edge handling all run."""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
import wave
from collections.abc import Callable
from pathlib import Path

import av
import numpy as np

from bodycam.errors import BodycamError
from firmware.config import parse
from fleet.device_install import BOOT_LINES, missing_boot_lines
from fleet.release import build
from storage.keys import create_signing_key
from tools.checkout import source_copy
from tools.hil.image import ensure, recipe_digest
from tools.hil.vm import Vm

CONFIG = Path(__file__).resolve().parent / "config.toml"
SETTINGS = parse(CONFIG.read_text(), str(CONFIG))
GPIO_SIM = "/sys/devices/platform/gpio-sim.0/gpiochip0"
SPI_COUNTERS = "/sys/module/hil_spi_loopback/parameters"
DATA = "/var/lib/bodycam"
BATTERY_PERCENT = 0x4B80 / 256  # what the gauge's SOC register is set to: 75.5 %
TONE_HZ = 1000


class CheckFailed(BodycamError, RuntimeError):
    pass


def bodycam(*args: str, timeout: float = 1800) -> str:
    command = [str(Path(sys.executable).parent / "bodycam"), *args]
    result = subprocess.run(command, text=True, capture_output=True, timeout=timeout)
    if result.returncode != 0:
        raise CheckFailed(f"bodycam {args[0]} exit {result.returncode}: {(result.stderr or result.stdout)[-1500:]}")
    return result.stdout


def wait_for(what: str, probe: Callable[[], object], timeout: float, interval: float = 1.0) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value:
            return value
        if time.monotonic() > deadline:
            raise CheckFailed(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


# -- set-up ---------------------------------------------------------------------------------------------------

def image_step(cache: Path, images: list[object], log: Callable[[str], None]) -> str:
    cached = (cache / f"image-{recipe_digest()}" / ".done").exists()
    image = ensure(cache, log)
    images.append(image)
    kernel = (image.folder / "kernel").read_text().strip()
    return f"linux {kernel}, {'cached' if cached else 'built'}"


def release_step(cache: Path, run_dir: Path, out: list[Path]) -> str:
    """The working tree as committed or not, built as for a Raspberry Pi (aarch64, Python 3.11, wheels
    downloaded for that platform, the Raspberry Pi OS packages left to apt)."""
    keys = cache / "keys"
    if not (keys / "release.key").exists():
        create_signing_key(keys, "release")
    source = source_copy(run_dir / "source")
    release = build(source, cache / "releases", keys / "release.key")
    out.append(release.folder)
    return f"{release.folder.name}, apt: {', '.join(release.manifest['apt'])}"  # type: ignore[arg-type]


def gauge_registers(vm: Vm) -> str:
    """The MAX17048's state of charge (0x04, 1/256 %) and charge rate (0x16: 0, not charging), as bytes."""
    soc = round(BATTERY_PERCENT * 256)
    for register, value in ((0x04, soc >> 8), (0x05, soc & 0xFF), (0x16, 0), (0x17, 0)):
        vm.ssh(f"i2cset -y {SETTINGS.battery.i2c_bus} 0x36 {register:#04x} {value:#04x}")
    return f"SOC register {soc:#06x} ({BATTERY_PERCENT} %) on bus {SETTINGS.battery.i2c_bus}"


def deploy(cache: Path, run_dir: Path, vm: Vm, release: Path) -> str:
    """Pin the machine's host key by its fingerprint, then deploy as the fleet tools do."""
    fingerprint = subprocess.run(["ssh-keygen", "-lf", str(vm.image.host_key_pub)], check=True, text=True,
                                 capture_output=True).stdout.split()[1]
    known_hosts = run_dir / "enrolled_hosts"
    bodycam("enrol", "127.0.0.1", "--port", str(vm.port), "--known-hosts", str(known_hosts),
            "--fingerprint", fingerprint, timeout=120)
    bodycam("keys", "agency", "--out", str(run_dir / "agency"), timeout=60)
    started = time.monotonic()
    output = bodycam("deploy", "127.0.0.1", "--port", str(vm.port), "--user", "root", "--identity",
                     str(vm.image.ssh_key), "--known-hosts", str(known_hosts), "--connect-timeout", "30",
                     "--release", str(release), "--release-pub", str(cache / "keys" / "release.pub"),
                     "--config", str(CONFIG), "--agency-pub", str(run_dir / "agency" / "agency.pub"),
                     "--health-timeout", "600")
    (run_dir / "deploy.log").write_text(output)
    return f"{time.monotonic() - started:.0f} s: " + " ".join(output.split())[-200:]


# -- the service and its parts ----------------------------------------------------------------------------------

def health(vm: Vm) -> dict[str, object]:
    return json.loads(vm.ssh("cat /run/bodycam/health.json").stdout)


def healthy(vm: Vm) -> str:
    active = vm.ssh("systemctl is-active bodycam", check=False).stdout.strip()
    if active != "active":
        raise CheckFailed(f"bodycam.service is {active}")
    report = health(vm)
    if report["camera_fault"] or report["faults"]:
        raise CheckFailed(f"faults: camera {report['camera_fault']}, parts {report['faults']}")
    return f"{report['version']}, stage {report['stage']}, no faults"


def boot_config(vm: Vm) -> str:
    if missing := missing_boot_lines(vm.ssh("cat /boot/firmware/config.txt").stdout):
        raise CheckFailed(f"config.txt lacks {missing}")
    return ", ".join(BOOT_LINES)


def line_value(vm: Vm, pin: int) -> int:
    return int(vm.ssh(f"cat {GPIO_SIM}/sim_gpio{pin}/value").stdout)


def leds(vm: Vm) -> dict[str, int]:
    i = SETTINGS.indicators
    return {name: line_value(vm, pin) for name, pin in
            (("ready", i.ready_led_pin), ("green", i.green_led_pin), ("red", i.red_led_pin))}


def ready_led(vm: Vm) -> str:
    seen = leds(vm)
    if seen != {"ready": 1, "green": 0, "red": 0}:
        raise CheckFailed(f"in stage worn the lines are {seen}")
    return f"lines {seen}"


def gauge_reading(vm: Vm) -> str:
    def reading() -> object:
        status = vm.ssh(f"cat {DATA}/status.json", check=False).stdout
        return json.loads(status).get("battery_percent") if status else None

    percent = wait_for("a battery reading in status.json", reading, SETTINGS.battery.poll_s * 4 + 30)
    if not math.isclose(float(percent), round(BATTERY_PERCENT, 1)):  # type: ignore[arg-type]
        raise CheckFailed(f"the firmware read {percent} %, the gauge holds {BATTERY_PERCENT} %")
    return f"{percent} % read from i2c-stub"


def press(vm: Vm, pin: int, hold_s: float) -> float:
    """A finger on a button wired to ground: the line pulled down for ``hold_s``, then released. Returns the
    machine's wall-clock time of the press."""
    line = f"{GPIO_SIM}/sim_gpio{pin}/pull"
    out = vm.ssh(f"date +%s.%N && echo pull-down > {line} && sleep {hold_s} && echo pull-up > {line}").stdout
    return float(out.split()[0])


def decision_latency(vm: Vm, pressed: float, button: str) -> float:
    """Seconds from the line's pull to the service's log of the decision on it (journald's receive time, on
    the machine's clock: an upper bound that includes writing the log line)."""
    def logged() -> float | None:
        out = vm.ssh(f"journalctl -u bodycam -o json --since @{int(pressed)}", check=False).stdout
        for line in out.splitlines():
            entry = json.loads(line)
            message = str(entry.get("MESSAGE", ""))
            if '"button-down"' in message and f'"button": "{button}"' in message:
                return int(entry["__REALTIME_TIMESTAMP"]) / 1e6 - pressed
        return None

    return float(wait_for(f"the {button} press in the journal", logged, 60))  # type: ignore[arg-type]


def wait_stage(vm: Vm, stage: str, timeout: float = 60) -> None:
    wait_for(f"stage {stage}", lambda: health(vm)["stage"] == stage, timeout)


def short_press(vm: Vm, button: str, stage: str, led: str) -> str:
    """A short press that must take the service to ``stage`` and light ``led``: what it took, and the lines."""
    pressed = press(vm, getattr(SETTINGS.buttons, f"{button}_pin"), 0.3)
    wait_stage(vm, stage)
    seen = wait_for(f"the {led} LED", lambda: (s := leds(vm))[led] == 1 and s, 30)
    latency = decision_latency(vm, pressed, button)
    return f"stage {stage}, press to decision {latency * 1000:.0f} ms, lines {seen}"


def display_press(vm: Vm) -> str:
    """DISPLAY: stage display, the green LED; the speaker's sound is captured from the loopback meanwhile."""
    vm.ssh("rm -f /root/speaker.raw; (arecord -q -D plughw:0,1 -f S16_LE -c 1 -r 16000 -t raw /root/speaker.raw "
           "</dev/null >/dev/null 2>&1 &); sleep 2")
    return short_press(vm, "display", "display", "green")


def announcement_loopback(vm: Vm) -> str:
    """The display announcement, played by the service on the default sound card, heard on its loopback."""
    wait_for("the display announcement played", lambda: '"announce:display-on"' in journal(vm), 60, 2)
    time.sleep(8)
    vm.ssh("pkill -INT -x arecord; while pgrep -x arecord >/dev/null; do sleep 0.5; done", timeout=60)
    raw = vm.ssh("od -An -v -td2 -w2 /root/speaker.raw | tr -d ' ' | tr '\\n' ' '").stdout.split()
    samples = np.array([int(s) for s in raw], dtype=np.float64)
    if samples.size < 16000:
        raise CheckFailed(f"only {samples.size} samples captured")
    loud = float(np.sqrt(np.mean(samples ** 2)))
    if loud < 100:
        raise CheckFailed(f"the capture is silent (RMS {loud:.0f} over {samples.size / 16000:.0f} s)")
    first = int(np.argmax(np.abs(samples) > 1000)) / 16000
    return f"RMS {loud:.0f} over {samples.size / 16000:.0f} s of capture, sound from {first:.1f} s"


def journal(vm: Vm) -> str:
    return vm.ssh("journalctl -u bodycam --no-pager -o cat", check=False).stdout


def display_frames(vm: Vm) -> str:
    def counters() -> tuple[int, int, int]:
        out = vm.ssh(f"cat {SPI_COUNTERS}/tx_bytes {SPI_COUNTERS}/transfers {SPI_COUNTERS}/last_speed_hz").stdout
        tx, transfers, speed = (int(v) for v in out.split())
        return tx, transfers, speed

    before = counters()
    time.sleep(10)
    after = counters()
    d = SETTINGS.display
    frame = d.width * d.height * 2  # 16-bit colour
    frames = (after[0] - before[0]) / frame
    if frames < 1:
        raise CheckFailed(f"{after[0] - before[0]} bytes on the bus in 10 s: not one {frame}-byte frame")
    if after[2] != d.spi_speed_hz:
        raise CheckFailed(f"the bus ran at {after[2]} Hz, the config says {d.spi_speed_hz}")
    return f"{(after[0] - before[0]) / 10 / 1000:.0f} kB/s (≈{frames / 10:.1f} full frames/s) at {after[2]} Hz"


def tone_wav(path: Path, seconds: float) -> None:
    rate = 48000
    t = np.arange(int(rate * seconds)) / rate
    samples = (0.5 * 32767 * np.sin(2 * math.pi * TONE_HZ * t)).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())


def record(vm: Vm) -> str:
    """RECORD starts a recording; a tone plays into the loopback the microphone captures; holding RECORD
    stops it."""
    hold_s = SETTINGS.buttons.hold_stop_s + 1.5
    tone = vm.run_dir / "tone.wav"
    tone_wav(tone, 12)
    vm.copy_to(tone, "/root/tone.wav")
    vm.ssh("(aplay -q -D plughw:0,1 /root/tone.wav </dev/null >/root/aplay.log 2>&1 &) ; sleep 1")
    started = short_press(vm, "record", "recording", "red")
    time.sleep(6)
    load = vm.ssh("cat /proc/loadavg").stdout.split()[0]
    if aplay := vm.ssh("cat /root/aplay.log").stdout.strip():
        raise CheckFailed(f"the tone did not play: {aplay}")
    press(vm, SETTINGS.buttons.record_pin, hold_s)
    wait_stage(vm, "display", 60)
    wait_for("the recording's summary in the journal (written once it is finalised)",
             lambda: '"type": "recording"' in journal(vm), 60, 2)
    return f"{started}, load {load} while recording, stopped by a {hold_s:.1f} s hold"


def recording_verifies(vm: Vm) -> str:
    """The recording as the evidence office gets it: verified against the device key, decrypted with the
    agency key, exported to MP4, with the test picture and the tone in it."""
    run_dir = vm.run_dir
    local = run_dir / "data"
    vm.copy_from(f"{DATA}/", local, exclude="keys/device.key")  # never the device's private key
    device_key = str(local / "keys" / "device.pub")
    verified = bodycam("evidence", "verify", "--device-key", device_key, str(local))
    mp4 = run_dir / "recording.mp4"
    bodycam("evidence", "export", "--device-key", device_key, "--key", str(run_dir / "agency" / "agency.key"),
            "--out", str(mp4), str(local))
    return " ".join(verified.split())[:120] + "; " + describe_mp4(mp4)


def describe_mp4(path: Path) -> str:
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        frames = sum(1 for _ in container.decode(video=0))
        size = (video.codec_context.width, video.codec_context.height)
    if size != (SETTINGS.camera.width, SETTINGS.camera.height) or frames < SETTINGS.camera.fps:
        raise CheckFailed(f"{path.name}: {frames} frames of {size}")
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise CheckFailed(f"{path.name} has no sound")
        pcm = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]).astype(np.float64)
        rate = container.streams.audio[0].codec_context.sample_rate
    spectrum = np.abs(np.fft.rfft(pcm))
    peak = np.argmax(spectrum[1:]) + 1
    peak_hz = peak * rate / pcm.size
    if abs(peak_hz - TONE_HZ) > 20:
        raise CheckFailed(f"{path.name}: the loudest sound is at {peak_hz:.0f} Hz, the tone played was {TONE_HZ}")
    return f"{path.name}: {frames} frames {size[0]}×{size[1]}, sound peaks at {peak_hz:.0f} Hz"
