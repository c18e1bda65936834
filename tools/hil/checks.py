"""What ``make hil`` checks on the running machine, each a function that returns what it saw or raises
CheckFailed. Buttons are pressed the way a finger does it on gpio-sim: the line's pull, not a write to the
line, so the firmware's debounce, bias and edge handling all run."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
import time
import wave
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import av
import numpy as np

from bodycam.errors import BodycamError
from firmware.announcements import read_wav
from firmware.config import parse
from firmware.feedback import PATTERNS
from fleet.device_install import OFFLOAD_USER
from fleet.release import build
from hal.pyaudio_out import PLAY_RATE, resample
from states.actions import Feedback
from storage.keys import create_signing_key
from storage.segment_reader import read_segment
from tools.checkout import source_copy
from tools.hil.decode import DecodeError, find_sound, pwm_pulses, spi_transfers, ssd1351_frames
from tools.hil.image import ensure, recipe_digest
from tools.hil.preview_match import PreviewRenderer, match_preview
from tools.hil.vm import Vm

CONFIG = Path(__file__).resolve().parent / "config.toml"
SETTINGS = parse(CONFIG.read_text(), str(CONFIG))
GPIO_SIM = "/sys/devices/platform/gpio-sim.0/gpiochip0"
SPI_COUNTERS = "/sys/module/hil_spi_loopback/parameters"
SPI_CAPTURE = "/sys/kernel/debug/hil-spi-loopback/capture"
DATA = "/var/lib/bodycam"
STORE = "store"
"""The evidence station's store, in the run folder: deploy enrols the board in it, the offload fills it."""
BATTERY_PERCENT = 0x4B80 / 256  # what boot-config.sh sets the gauge's SOC register to: 75.5 %
CRITICAL_SOC = 3  # per cent, below battery.critical_percent
TONE_HZ, OTHER_SLOT_HZ = 1000, 3000
TONE_DBFS = -30.0
"""The microphone's tone in its slot, as 24-bit speech at a metre or two; the other slot carries a louder
3 kHz tone that must not reach the recording."""
SPEAKER, MICROPHONE = SETTINGS.audio.output_device, SETTINGS.audio.input_device
ANNOUNCEMENT = Path(__file__).resolve().parents[2] / "firmware/assets/audio/de/display-on.wav"
SAMPLE_LINE = Path(__file__).resolve().parent / "sample_line.py"


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


def fresh_card(vm: Vm) -> str:
    """Before the first deploy the board is a fresh card's: no SPI, no I2C, HDMI the only sound card."""
    devices = vm.ssh("ls /dev/spidev* /dev/i2c-* 2>/dev/null; cat /proc/asound/cards", check=False).stdout
    if "/dev/" in devices or "[vc4hdmi" not in devices or devices.count("]:") != 1:
        raise CheckFailed(f"not a fresh card's board: {' '.join(devices.split())[:300]}")
    return "no spidev, no i2c, sound cards: 0 vc4hdmi"


def deploy(cache: Path, run_dir: Path, vm: Vm, release: Path) -> str:
    """Pin the machine's host key by its fingerprint, then deploy as the fleet tools do."""
    fingerprint = subprocess.run(["ssh-keygen", "-lf", str(vm.image.host_key_pub)], check=True, text=True,
                                 capture_output=True).stdout.split()[1]
    known_hosts = run_dir / "enrolled_hosts"
    bodycam("enrol", "127.0.0.1", "--port", str(vm.port), "--known-hosts", str(known_hosts),
            "--fingerprint", fingerprint, timeout=120)
    bodycam("keys", "agency", "--out", str(run_dir / "agency"), timeout=60)
    bodycam("station", "init", "--store", str(run_dir / STORE), timeout=120)
    started = time.monotonic()
    output = bodycam("deploy", "127.0.0.1", "--port", str(vm.port), "--user", "root", "--identity",
                     str(vm.image.ssh_key), "--known-hosts", str(known_hosts), "--connect-timeout", "30",
                     "--release", str(release), "--release-pub", str(cache / "keys" / "release.pub"),
                     "--config", str(CONFIG), "--agency-pub", str(run_dir / "agency" / "agency.pub"),
                     "--store", str(run_dir / STORE), "--health-timeout", "600", "--reboot-timeout", "900")
    (run_dir / "deploy.log").write_text(output)
    if "rebooted; the boot config is in effect" not in output:
        raise CheckFailed(f"deploy did not reboot the camera for its boot config: {' '.join(output.split())[-300:]}")
    return f"{time.monotonic() - started:.0f} s: " + " ".join(output.split())[-200:]


# -- the service and its parts ----------------------------------------------------------------------------------

def health(vm: Vm) -> dict[str, object]:
    """The service's own report; empty while there is none (a service starting, or restarting)."""
    report = vm.ssh("cat /run/bodycam/health.json 2>/dev/null", check=False).stdout
    try:
        value = json.loads(report)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def healthy(vm: Vm) -> str:
    active = vm.ssh("systemctl is-active bodycam", check=False).stdout.strip()
    if active != "active":
        raise CheckFailed(f"bodycam.service is {active}")
    report = health(vm)
    if not report or report.get("camera_fault") or report.get("faults"):
        raise CheckFailed(f"the health report: {report or 'none'}")
    return f"{report['version']}, stage {report['stage']}, no faults"


def boot_config(vm: Vm) -> str:
    """What the reboot made of the config.txt deploy wrote: the display's bus, the gauge's bus, the amp's
    and the microphone's cards after HDMI's (that it was a reboot, deploy saw by the new boot id)."""
    boots = len(vm.ssh("journalctl --list-boots --no-pager -q", check=False).stdout.splitlines())
    out = vm.ssh("ls /dev/spidev0.0 /dev/i2c-0 && readlink /proc/asound/vc4hdmi /proc/asound/"
                 f"{SPEAKER} /proc/asound/{MICROPHONE}", check=False)
    if out.returncode != 0:
        raise CheckFailed(f"after the reboot: {out.stderr.strip()[-300:]}")
    cards = out.stdout.split()[-3:]
    if cards[0] != "card0":
        raise CheckFailed(f"HDMI is not card 0: {cards}")
    return f"{boots} boots; spidev0.0, i2c-0; cards vc4hdmi={cards[0]}, {SPEAKER}={cards[1]}, {MICROPHONE}={cards[2]}"


def hdmi_refuses(vm: Vm) -> str:
    """Card 0 is HDMI without a monitor: it refuses to play, as on a headless camera."""
    played = vm.ssh("head -c 19200 /dev/zero | aplay -q -D hw:0,0 -t raw -f S16_LE -c 2 -r 48000", check=False)
    if played.returncode == 0 or "No such device" not in played.stderr:
        raise CheckFailed(f"card 0 played (exit {played.returncode}): {played.stderr.strip()[-200:]}")
    return " ".join(played.stderr.split())[-120:]


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
    wait_for(f"stage {stage}", lambda: health(vm).get("stage") == stage, timeout)


def short_press(vm: Vm, button: str, stage: str, led: str) -> str:
    """A short press that must take the service to ``stage`` and light ``led``: what it took, and the lines."""
    pressed = PRESSES[button] = press(vm, getattr(SETTINGS.buttons, f"{button}_pin"), 0.3)
    wait_stage(vm, stage)
    seen = wait_for(f"the {led} LED", lambda: (s := leds(vm))[led] == 1 and s, 30)
    latency = decision_latency(vm, pressed, button)
    return f"stage {stage}, press to decision {latency * 1000:.0f} ms, lines {seen}"


PRESSES: dict[str, float] = {}
"""When each button was last pressed, on the machine's clock (for the checks that come after)."""


def display_press(vm: Vm) -> str:
    """DISPLAY: stage display, the green LED. Meanwhile the amp's card is captured from its loopback end in
    the I2S format (32-bit stereo, 48 kHz): a firmware playing anything else stops that capture."""
    PRESSES["capture"] = float(vm.ssh(
        f"rm -f /root/speaker.raw; date +%s.%N; (arecord -q -D hw:{SPEAKER},1 -f S32_LE -c 2 -r {PLAY_RATE} "
        "-t raw /root/speaker.raw </dev/null >/root/arecord.log 2>&1 &); sleep 2").stdout.split()[0])
    return short_press(vm, "display", "display", "green")


def expected_announcement() -> np.ndarray:
    clip = read_wav(ANNOUNCEMENT)
    return resample(clip.samples, clip.rate, PLAY_RATE).astype(np.float64)


def announcement_recognised(vm: Vm) -> str:
    """The display announcement, played by the service on the amp's card, found in the loopback capture
    by its waveform: after the press, whole (its duration within 10 %), not some other sound."""
    wait_for("the display announcement played", lambda: '"announce:display-on"' in journal(vm), 60, 2)
    expected = expected_announcement()
    time.sleep(expected.size / PLAY_RATE + 4)
    vm.ssh("pkill -INT -x arecord; while pgrep -x arecord >/dev/null; do sleep 0.5; done", timeout=60)
    if errors := vm.ssh("cat /root/arecord.log").stdout.strip():
        raise CheckFailed(f"the capture of the amp's card stopped: {errors[-300:]}")
    vm.copy_from("/root/speaker.raw", vm.run_dir)
    slots = np.frombuffer((vm.run_dir / "speaker.raw").read_bytes(), dtype="<i4").reshape(-1, 2)
    left = slots[:, 0].astype(np.float64) / 2**31
    if not np.array_equal(slots[:, 0], slots[:, 1]):
        raise CheckFailed("the two I2S slots differ: the amp plays their mix, both must carry the sound")
    try:
        match = find_sound(left, expected, PLAY_RATE)
    except DecodeError as exc:
        raise CheckFailed(str(exc)) from exc
    begins = PRESSES["capture"] + match.start_s - PRESSES["display"]
    length = expected.size / PLAY_RATE
    if match.correlation < 0.9 or begins < 0 or abs(match.duration_s - length) > 0.1 * length:
        raise CheckFailed(f"correlation {match.correlation:.2f} (0.9 needed), {begins:+.2f} s after the press, "
                          f"{match.duration_s:.2f} s of sound for a {length:.2f} s announcement; the service "
                          f"reported: {audio_problems(vm) or 'no audio problem'}")
    return (f"{ANNOUNCEMENT.name}: correlation {match.correlation:.3f}, from {begins:.2f} s after the press, "
            f"{match.duration_s:.2f} s of {length:.2f} s")


def audio_problems(vm: Vm) -> list[str]:
    """What the service logged about its sounds (a speaker that ran dry names how long its thread was away)."""
    return [str(entry.get("detail")) for line in journal(vm).splitlines() if '"audio-problem"' in line
            for entry in [json.loads(line)]]


def journal(vm: Vm) -> str:
    return vm.ssh("journalctl -u bodycam --no-pager -o cat", check=False).stdout


def display_frames(vm: Vm) -> str:
    """The SPI bus as the panel sees it, with its data/command line: SSD1351 commands, the window, and
    whole RGB565 frames of a moving picture, at the configured clock."""
    vm.ssh(f"echo 1 > {SPI_CAPTURE}")
    seconds = 8
    time.sleep(seconds)
    vm.ssh(f"cp {SPI_CAPTURE} /root/spi.bin && echo 0 > {SPI_CAPTURE}")
    dropped = int(vm.ssh(f"cat {SPI_COUNTERS}/capture_dropped").stdout)
    vm.copy_from("/root/spi.bin", vm.run_dir)
    try:
        frames = ssd1351_frames(spi_transfers((vm.run_dir / "spi.bin").read_bytes()))
    except DecodeError as exc:
        raise CheckFailed(f"the display's SPI stream: {exc}") from exc
    d = SETTINGS.display
    window = (0, d.width - 1, 0, d.height - 1)
    wanted = seconds * d.preview_fps * 0.5
    if len(frames) < wanted and not dropped:
        raise CheckFailed(f"{len(frames)} whole frames in {seconds} s; at least {wanted:.0f} expected")
    if any(f.window != window for f in frames) or not frames:
        raise CheckFailed(f"windows {sorted({f.window for f in frames})}, the panel is {window}")
    if all(np.array_equal(frames[0].rgb, f.rgb) for f in frames) or frames[-1].rgb.std() < 10:
        raise CheckFailed("the frames do not move or are one colour: not the camera's picture")
    from PIL import Image

    Image.fromarray(frames[-1].rgb).save(vm.run_dir / "display-frame.png")
    renderer = PreviewRenderer(SETTINGS, BATTERY_PERCENT)
    found = match_preview(frames[-1].rgb, renderer, range(pattern_frames_so_far(vm)))
    Image.fromarray(renderer.render(found.index, found.clock_synchronised)).save(vm.run_dir / "display-expected.png")
    if found.differing:
        raise CheckFailed(f"the last frame is not the preview's rendering: closest is test-pattern frame "
                          f"{found.index}, {found.differing} of {found.compared} pixels differ (display-frame.png, "
                          "display-expected.png)")
    return (f"{len(frames)} SSD1351 frames {d.width}×{d.height} decoded, moving; the last is pixel for pixel the "
            f"preview of test-pattern frame {found.index} ({found.compared} pixels, clock warning "
            f"{'off' if found.clock_synchronised else 'on'}); {spi_rate(vm)}")


def pattern_frames_so_far(vm: Vm) -> int:
    """At most how many frames the test pattern has made: it starts with the service, at the camera's fps."""
    started_us, now_s = vm.ssh("systemctl show -p ActiveEnterTimestampMonotonic --value bodycam; "
                               "cut -d' ' -f1 /proc/uptime").stdout.split()
    return int((float(now_s) - int(started_us) / 1e6) * SETTINGS.camera.fps * 1.1) + 10


def spi_rate(vm: Vm) -> str:
    def counters() -> tuple[int, int, int]:
        out = vm.ssh(f"cat {SPI_COUNTERS}/tx_bytes {SPI_COUNTERS}/transfers {SPI_COUNTERS}/last_speed_hz").stdout
        tx, transfers, speed = (int(v) for v in out.split())
        return tx, transfers, speed

    before = counters()
    time.sleep(10)
    after = counters()
    d = SETTINGS.display
    if after[2] != d.spi_speed_hz:
        raise CheckFailed(f"the bus ran at {after[2]} Hz, the config says {d.spi_speed_hz}")
    return f"{(after[0] - before[0]) / 10 / 1000:.0f} kB/s at {after[2]} Hz"


def tone_wav(path: Path, seconds: float) -> None:
    """What an I2S microphone sends: 32-bit stereo slots at 48 kHz, 24 bits used; the microphone's tone in
    slot 0 (its L/R pin to ground), something else in slot 1."""
    rate = 48000
    t = np.arange(int(rate * seconds)) / rate
    level = 10 ** (TONE_DBFS / 20)
    slots = np.stack([level * np.sin(2 * math.pi * TONE_HZ * t), 0.3 * np.sin(2 * math.pi * OTHER_SLOT_HZ * t)],
                     axis=1)
    samples = (np.round(slots * 2**23).astype(np.int64) << 8).astype("<i4")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(4)
        out.setframerate(rate)
        out.writeframes(samples.tobytes())


def record(vm: Vm) -> str:
    """RECORD starts a recording; a tone plays into the loopback the microphone captures; holding RECORD
    stops it."""
    hold_s = SETTINGS.buttons.hold_stop_s + 1.5
    tone = vm.run_dir / "tone.wav"
    tone_wav(tone, 14)
    vm.copy_to(tone, "/root/tone.wav")
    vm.ssh(f"(aplay -q -D hw:{MICROPHONE},1 /root/tone.wav </dev/null >/root/aplay.log 2>&1 &) ; sleep 1")
    vm.copy_to(SAMPLE_LINE, "/root/sample_line.py")
    vm.ssh(f"rm -f /root/vibration.bin; (python3 /root/sample_line.py {GPIO_SIM}/sim_gpio"
           f"{SETTINGS.indicators.vibration_pin}/value 6 /root/vibration.bin </dev/null >/root/sampler.log 2>&1 &)")
    started = short_press(vm, "record", "recording", "red")
    time.sleep(6)
    load = vm.ssh("cat /proc/loadavg").stdout.split()[0]
    threads = vm.ssh("top -b -H -n 1 -w 200 -p $(systemctl show -p MainPID --value bodycam) | tail -n +8 | head -6",
                     check=False).stdout
    (vm.run_dir / "threads-while-recording.txt").write_text(threads)
    scheduled = vm.ssh("ps -L -o cls=,rtprio= -p $(systemctl show -p MainPID --value bodycam)").stdout.split("\n")
    realtime = sum(1 for line in scheduled if line.split() == ["RR", "10"])
    if realtime < 2:
        raise CheckFailed(f"{realtime} of the service's threads real-time (RR 10): the speaker's and the "
                          "microphone's should be")
    if aplay := vm.ssh("cat /root/aplay.log").stdout.strip():
        raise CheckFailed(f"the tone did not play: {aplay}")
    press(vm, SETTINGS.buttons.record_pin, hold_s)
    wait_stage(vm, "display", 60)
    wait_for("the recording's summary in the journal (written once it is finalised)",
             lambda: '"type": "recording"' in journal(vm), 60, 2)
    return (f"{started}, load {load} while recording, {realtime} threads real-time (RR 10), stopped by a "
            f"{hold_s:.1f} s hold")


def vibration(vm: Vm) -> str:
    """The motor's line, sampled from before the RECORD press: the start pattern's pulses, each its time long
    (±50 %: the emulated board, at a load near 3 on 2 cores, delays the write that ends a pulse by up to 50 ms;
    the stepping this check found made them 170 % longer), driven by PWM at the configured duty cycle: over all
    pulses (the emulated CPU delays single periods of lgpio's software PWM), and no pulse at full power."""
    wait_for("the motor's line sampled", lambda: vm.ssh("test -e /root/vibration.bin", check=False).returncode == 0,
             60, 2)
    vm.copy_from("/root/vibration.bin", vm.run_dir)
    samples = np.frombuffer((vm.run_dir / "vibration.bin").read_bytes(), dtype=[("t", "<f8"), ("v", "u1")])
    on_s, _, count = PATTERNS[Feedback.START].vibration or (0.0, 0.0, 0)
    pulses = pwm_pulses(samples["t"], samples["v"], gap_s=0.05)
    strength = SETTINGS.indicators.vibration_strength
    rate = samples.size / float(samples["t"][-1] - samples["t"][0])
    seen = ", ".join(f"{p.duration_s * 1000:.0f} ms at {p.duty:.2f}" for p in pulses)
    duty = sum(p.duty * p.duration_s for p in pulses) / (sum(p.duration_s for p in pulses) or 1)
    if (len(pulses) != count or abs(duty - strength) > 0.1 or any(p.duty > 0.95 for p in pulses)
            or any(abs(p.duration_s - on_s) > 0.5 * on_s for p in pulses)):
        raise CheckFailed(f"pulses: [{seen}], duty {duty:.2f} over all; expected {count} of {on_s * 1000:.0f} ms "
                          f"(±50 %) at duty {strength} (±0.1), sampled {rate:.0f} times a second")
    return (f"{count} pulses [{seen}], duty {duty:.2f} over all, for {on_s * 1000:.0f} ms at {strength}; "
            f"sampled {rate:.0f}/s")


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
    (recording,) = (local / "recordings").iterdir()
    return " ".join(verified.split())[:120] + "; " + describe_mp4(mp4, recording)


def reported_sound_gaps_s(recording: Path) -> float:
    """The sound the microphone lost, as the recording's signed trailers report it."""
    trailers = (read_segment(path).trailer or {} for path in sorted(recording.glob("*.bcs")))
    return sum(float(gap["s"]) for trailer in trailers for gap in trailer.get("sound_gaps") or [])


def describe_mp4(path: Path, recording: Path) -> str:
    """The picture: the test pattern's size, at least 80 % of the frames its time span should hold; the
    sound: as long as the picture (within 0.2 s) together with what the recording reports lost (at most a
    tenth: sound may degrade under load, by gaps that are reported, never silently), the microphone's slot
    (1 kHz, nothing of the other slot's 3 kHz) at its level plus the configured gain."""
    camera = SETTINGS.camera
    with av.open(str(path)) as container:
        video = container.streams.video[0]
        pts = [f.pts for f in container.decode(video=0) if f.pts is not None]
        size = (video.codec_context.width, video.codec_context.height)
        video_s = float((max(pts) - min(pts)) * (video.time_base or 0)) + 1 / camera.fps if pts else 0.0
    if size != (camera.width, camera.height) or len(pts) < 0.8 * video_s * camera.fps or video_s < 5:
        raise CheckFailed(f"{path.name}: {len(pts)} frames of {size} over {video_s:.1f} s "
                          f"({0.8 * video_s * camera.fps:.0f} needed at {camera.fps} frames/s)")
    with av.open(str(path)) as container:
        if not container.streams.audio:
            raise CheckFailed(f"{path.name} has no sound")
        pcm = np.concatenate([f.to_ndarray().reshape(-1) for f in container.decode(audio=0)]).astype(np.float64)
        rate = container.streams.audio[0].codec_context.sample_rate
    sound_s = pcm.size / rate
    missing_s = reported_sound_gaps_s(recording)
    if abs(sound_s + missing_s - video_s) > 0.2 or missing_s > 0.1 * video_s:
        raise CheckFailed(f"{path.name}: {sound_s:.2f} s of sound and {missing_s:.2f} s reported missing for "
                          f"{video_s:.2f} s of picture (0.2 s allowed, at most a tenth missing)")
    spectrum = np.abs(np.fft.rfft(pcm))
    peak_hz = (np.argmax(spectrum[1:]) + 1) * rate / pcm.size
    other = spectrum[round(OTHER_SLOT_HZ * pcm.size / rate)] / spectrum.max()
    level = 20 * math.log10(float(np.abs(pcm).max()) or 1e-9)
    wanted = TONE_DBFS + SETTINGS.audio.input_gain_db
    if abs(peak_hz - TONE_HZ) > 20 or other > 0.01 or abs(level - wanted) > 2:
        raise CheckFailed(f"{path.name}: loudest at {peak_hz:.0f} Hz (the tone: {TONE_HZ}), the other slot at "
                          f"{other:.3f} of it, peak {level:.1f} dBFS ({wanted:.0f} expected)")
    return (f"{path.name}: {len(pts)} frames {size[0]}×{size[1]} in {video_s:.1f} s, {sound_s:.2f} s of sound "
            f"({missing_s:.2f} s reported missing) at {peak_hz:.0f} Hz, peak {level:.1f} dBFS, other slot {other:.4f}")


def watchdog(vm: Vm) -> str:
    """A stalled event loop (the process stopped) stops pinging systemd's watchdog: the service is
    killed and started again, and reports healthy."""
    def service() -> tuple[int, int]:
        out = vm.ssh("systemctl show -p MainPID -p NRestarts --value bodycam").stdout.split()
        return int(out[0]), int(out[1])

    pid, restarts = service()
    stalled = time.monotonic()
    vm.ssh(f"kill -STOP {pid}")
    wait_for("a new service process", lambda: service()[0] not in (0, pid), 180, 2)
    restarted = time.monotonic() - stalled
    wait_for("its health report", lambda: health(vm).get("pid") == service()[0], 180, 2)
    after = service()
    if after[1] != restarts + 1:
        raise CheckFailed(f"NRestarts {restarts} → {after[1]}")
    return f"pid {pid} stopped; restarted as {after[0]} after {restarted:.0f} s, healthy; NRestarts {after[1]}"


def critical_battery(vm: Vm) -> str:
    """RECORD held in stage worn (imminent danger) records; the gauge then reads 3 %: the recording is
    finalised and the machine powers itself off. After the next boot the recording verifies and says why
    it ended."""
    hold = SETTINGS.buttons.hold_start_s + 0.5
    PRESSES["record-hold"] = press(vm, SETTINGS.buttons.record_pin, hold)
    wait_stage(vm, "recording", 60)
    time.sleep(4)
    vm.ssh(f"i2cset -y {SETTINGS.battery.i2c_bus} 0x36 0x04 {CRITICAL_SOC:#04x}; "
           f"i2cset -y {SETTINGS.battery.i2c_bus} 0x36 0x05 0x00")
    off_after = vm.wait_off(SETTINGS.battery.poll_s * 4 + 240)
    boot_s = vm.boot()
    local = vm.run_dir / "after-power-off"
    vm.copy_from(f"{DATA}/", local, exclude="keys/device.key")
    newest = max((local / "recordings").iterdir())
    bodycam("evidence", "verify", "--device-key", str(local / "keys" / "device.pub"), str(newest))
    last = read_segment(max(newest.glob("*.bcs")))
    if last.trailer is None or not last.trailer.get("final") or last.trailer.get("stop_reason") != "battery-critical":
        raise CheckFailed(f"{newest.name}: the last segment's trailer is {last.trailer}")
    first = read_segment(min(newest.glob("*.bcs"))).header
    pressed, started = (datetime.fromisoformat(str(first[k]).replace("Z", "+00:00"))
                        for k in ("pressed_at_utc", "started_utc"))
    return (f"{newest.name} finalised (stop_reason battery-critical) and verifies; press to first frame "
            f"{(started - pressed).total_seconds() * 1000:.0f} ms (reason {first['reason']}); powered off "
            f"{off_after:.0f} s after the gauge read {CRITICAL_SOC} %, booted again in {boot_s:.0f} s")


def offload_through_gate(vm: Vm) -> str:
    """The station offloads the board's recordings with its own key, logged in as the unprivileged
    offload user whose forced command is the gate; that key gets no shell, no device key and no root."""
    store = vm.run_dir / STORE
    devices = bodycam("station", "devices", "--store", str(store), timeout=120)
    if f"{OFFLOAD_USER}@127.0.0.1:{vm.port}" not in devices:
        raise CheckFailed(f"the camera is not enrolled with its offload user: {' '.join(devices.split())[:200]}")
    output = bodycam("offload", "--all", "--store", str(store), timeout=900)
    received = re.search(r"(\d+) recording\(s\) received and verified, (\d+) released", output)
    if received is None or int(received[1]) < 2 or received[1] != received[2]:
        raise CheckFailed(f"offload: {' '.join(output.split())[-300:]}")
    station_ssh = ["ssh", "-p", str(vm.port), "-i", str(store / "keys" / "ssh_ed25519"), "-o", "IdentitiesOnly=yes",
                   "-o", "BatchMode=yes", "-o", f"UserKnownHostsFile={vm.run_dir / 'enrolled_hosts'}"]
    shell = subprocess.run([*station_ssh, f"{OFFLOAD_USER}@127.0.0.1", "cat /var/lib/bodycam/keys/device.key"],
                           capture_output=True, text=True, timeout=120)
    root = subprocess.run([*station_ssh, "root@127.0.0.1", "true"], capture_output=True, text=True, timeout=120)
    if shell.returncode != 2 or "refused" not in shell.stderr or "PRIVATE" in shell.stdout or root.returncode != 255:
        raise CheckFailed(f"the station's key: a command as {OFFLOAD_USER} gave {shell.returncode} "
                          f"({shell.stderr.strip()[:160]}), as root {root.returncode}")
    left = vm.ssh(f"ls {DATA}/recordings | wc -l; stat -c '%U %a' {DATA}/keys/device.key").stdout.split()
    if left[0] != "0" or left[1:] != ["bodycam", "400"]:
        raise CheckFailed(f"after the offload: {left[0]} recordings left on the board; device.key {' '.join(left[1:])}")
    return (f"{received[1]} recordings received, verified and released as {OFFLOAD_USER}; a shell command "
            f"refused by the gate, root refused the key; device.key bodycam 0400")
