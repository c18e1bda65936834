"""Offload throughput over loopback SSH against plain rsync of the same files, and the time from a
SIGKILL during a recording to the first packet of the resumed recording on disk."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.recording import FPS, device_keys, packet_sizes
from bench.table import Row
from storage.keys import key_id, load_device_public
from storage.recorder import Recorder, RecorderSettings
from tests.sshd import start_sshd

ROOT = Path(__file__).resolve().parent.parent
MINUTES = 2  # of 1080p30 at 8 Mbit/s: 120 MB


def make_device(directory: Path) -> Path:
    data = directory / "device"
    keys = device_keys(data)
    epoch = datetime(2026, 1, 5, tzinfo=UTC)
    recorder = Recorder(RecorderSettings(data / "recordings", "bench", prerecord_s=0.0), keys,
                        to_utc=lambda t: epoch + timedelta(seconds=t), clock_synchronised=lambda: True,
                        on_error=print)
    for minute in range(MINUTES):
        recorder.start("announced", minute * 60.0)
        for i, size in enumerate(packet_sizes(55)):
            index = minute * 60 * FPS + i
            recorder.packet(os.urandom(size), i % FPS == 0, int(index * 1e6 / FPS))
        recorder.stop("stop-hold")
    recorder.close()
    return data


def offload_vs_rsync(directory: Path) -> tuple[float, float, int]:
    device = make_device(directory)
    size = sum(p.stat().st_size for p in (device / "recordings").rglob("*.bcs"))
    server, process = start_sshd(directory / "sshd")
    try:
        ssh = shlex_join(["ssh", *server.ssh_options()])
        start = time.perf_counter()
        subprocess.run(["rsync", "-a", "-e", ssh, f"{server.user}@{server.host}:{device}/recordings/",
                        str(directory / "plain") + "/"], check=True)
        plain = time.perf_counter() - start
        store = directory / "store"
        kid = key_id(load_device_public(device / "keys" / "device.pub"))
        (store / "devices").mkdir(parents=True)
        shutil.copy(device / "keys" / "device.pub", store / "devices" / f"{kid}.pub")
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "firmware.cli", "offload", server.host, "--to", str(store),
                        "--user", server.user, "--port", str(server.port), "--identity", str(server.identity),
                        "--known-hosts", str(server.known_hosts), "--data-dir", str(device),
                        "--remote-bodycam", str(Path(sys.executable).parent / "bodycam")],
                       check=True, cwd=ROOT, capture_output=True)
        ours = time.perf_counter() - start
    finally:
        process.terminate()
        process.wait()
    return ours, plain, size


def shlex_join(words: list[str]) -> str:
    import shlex

    return shlex.join(words)


def resume_after_kill(directory: Path) -> float:
    """Seconds from SIGKILL of a recording simulator to the first packet of the resumed recording on disk."""
    config = directory / "config.toml"
    config.write_text("[sim]\ncamera_width = 160\ncamera_height = 96\n")

    def start(scenario: str) -> subprocess.Popen:
        path = directory / f"scenario-{time.monotonic_ns()}.txt"
        path.write_text(scenario)
        return subprocess.Popen([sys.executable, "-m", "firmware.cli", "sim", "--headless", "--realtime",
                                 "--scenario", str(path), "--config", str(config), "--data-dir",
                                 str(directory / "data")], stdout=subprocess.PIPE, text=True, cwd=ROOT)

    first = start("0 press display\n0.5 press record\n600 end\n")
    assert first.stdout is not None
    for line in first.stdout:
        if json.loads(line).get("to") == "recording":
            break
    time.sleep(2.0)
    before = set((directory / "data" / "recordings").iterdir())
    first.send_signal(signal.SIGKILL)
    killed = time.monotonic()
    first.wait()
    second = start("10 end\n")
    resumed_at = None
    while resumed_at is None and time.monotonic() - killed < 60:
        new = set((directory / "data" / "recordings").iterdir()) - before
        if any(p.stat().st_size > 2000 for d in new for p in d.glob("seg-*.bcs")):
            resumed_at = time.monotonic()
        time.sleep(0.005)
    second.kill()
    second.wait()
    return (resumed_at or killed) - killed


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as directory:
        ours, plain, size = offload_vs_rsync(Path(directory))
    with tempfile.TemporaryDirectory() as directory:
        resume = resume_after_kill(Path(directory))
    mb = size / 1e6
    return [
        Row(f"offload over loopback SSH ({mb:.0f} MB): MB/s incl. verify and release", mb / ours, "MB/s",
            mb / plain, "plain rsync of the same files"),
        Row("SIGKILL while recording to first resumed packet on disk", resume, "s"),
    ]
