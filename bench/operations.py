"""Offload throughput over loopback SSH against plain rsync of the same files, and the time from a
SIGKILL during a recording to the first packet of the resumed recording on disk."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.recording import FPS, device_keys, packet_sizes
from bench.startup import ENVIRONMENT
from bench.table import Paired, Row, paired_rounds
from station.registry import enrol
from station.store import Store
from storage.audit import AuditLog
from storage.recorder import Recorder, RecorderSettings
from tests.sshd import start_sshd

ROOT = Path(__file__).resolve().parent.parent
MINUTES = 5  # one 5-minute recording of 1080p30 at 8 Mbit/s: ~300 MB in 60 s segments
THROUGHPUT_ROUNDS = 10
FIXED_ROUNDS = 7
DOCK_LINK_KIB_S = 30_000
"""The dock's link for the second comparison, ≈ 31 MB/s: a Pi Zero 2 W's USB 2.0 gadget Ethernet at its
best (its SD card reads ≈ 40 MB/s, its Wi-Fi far less). Unlimited loopback makes the comparison one of
CPU on shared cores instead, where the station's verification competes with both ends of the transfer."""


def make_device(directory: Path, minutes: float = MINUTES, packets: Iterable[tuple[bytes, bool]] | None = None,
                streams: dict[str, dict[str, object]] | None = None) -> Path:
    """A camera data dir with one recording of ``minutes`` and the audit lines the store cross-checks.
    ``packets``: ``(access unit, keyframe)`` at FPS, random bytes of a 8 Mbit/s stream's sizes if not given."""
    data = directory / "device"
    keys = device_keys(data)
    epoch = datetime(2026, 1, 5, tzinfo=UTC)
    recorder = Recorder(RecorderSettings(data / "recordings", "bench", prerecord_s=0.0, streams=streams or {}), keys,
                        to_utc=lambda t: epoch + timedelta(seconds=t), clock_synchronised=lambda: True,
                        on_error=print)
    audit = AuditLog(data / "audit", keys.signing, lambda: "2026-01-05T00:00:00.000Z")
    if minutes:
        recording = recorder.start("announced", 0.0)
        audit.append({"type": "recording-started", "recording": recording, "reason": "announced", "t": 0.0})
        sizes = packet_sizes(int(minutes * 60))
        source = packets or ((os.urandom(size), i % FPS == 0) for i, size in enumerate(sizes))
        for i, (data_bytes, keyframe) in zip(range(len(sizes)), source, strict=False):
            recorder.packet(data_bytes, keyframe, int(i * 1e6 / FPS))
        audit.append({"type": "recording", "t": minutes * 60.0, **(recorder.stop("stop-hold") or {})})
    recorder.close()
    audit.close()
    (data / "recordings").mkdir(exist_ok=True)
    return data


def _limit(bwlimit: int | None) -> list[str]:
    return [f"--bwlimit={bwlimit}"] if bwlimit else []


def _offload(server, store: Store, name: str, device: Path, bwlimit: int | None = None) -> float:
    """Seconds of one offload, run with bytecode as an installed station has it (bench.startup)."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "office.cli", "offload", name, "--store", str(store.root),
                             "--identity", str(server.identity), "--data-dir", str(device),
                             "--remote-bodycam", str(Path(sys.executable).parent / "bodycam"), *_limit(bwlimit)],
                            cwd=ROOT, env=ENVIRONMENT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"offload failed: {result.stdout}{result.stderr}")
    return time.perf_counter() - start


def _rsync(server, source: Path, target: Path, bwlimit: int | None = None) -> float:
    start = time.perf_counter()
    subprocess.run(["rsync", "-a", *_limit(bwlimit), "-e", shlex.join(["ssh", *server.ssh_options()]),
                    f"{server.user}@{server.host}:{source}/", f"{target}/"], check=True)
    return time.perf_counter() - start


def offload_vs_rsync(directory: Path, bwlimit: int | None = None,
                     fixed_rounds: int = FIXED_ROUNDS) -> tuple[Paired, Paired, int]:
    """Seconds for our offload and plain rsync of the set, end to end, in paired rounds (each round of ours
    offloads a fresh copy of the camera into a fresh store: an offload releases what it took), and each
    one's fixed cost (the same with nothing to move); both sides limited to ``bwlimit`` KiB/s if given."""
    device, empty = make_device(directory), make_device(directory / "empty", minutes=0)
    size = sum(p.stat().st_size for p in (device / "recordings").rglob("*.bcs"))
    server, process = start_sshd(directory / "sshd")
    rounds = iter(range(1000))

    def enrolled(data: Path) -> tuple[Store, str]:
        n = next(rounds)
        store = Store.init(directory / f"store-{n}")
        shutil.copy(store.station_pub_path, data / "keys" / "station.pub")
        enrol(store, f"cam-{n}", server.host, server.port, server.user, (data / "keys/device.pub").read_text(),
              server.known_hosts.read_text())
        store.db.close()
        return store, f"cam-{n}"

    def ours() -> float:
        camera = directory / "camera"
        shutil.rmtree(camera, ignore_errors=True)
        shutil.copytree(device, camera)
        store, name = enrolled(camera)
        os.sync()  # the copy's write-back is not the offload's
        seconds = _offload(server, store, name, camera, bwlimit)
        shutil.rmtree(store.root)
        return seconds

    def plain() -> float:
        shutil.rmtree(directory / "plain", ignore_errors=True)
        os.sync()
        return _rsync(server, device / "recordings", directory / "plain", bwlimit)

    try:
        store, name = enrolled(empty)
        _offload(server, store, name, empty)  # writes the bytecode this environment would not
        transfer = paired_rounds(ours, plain, THROUGHPUT_ROUNDS)
        fixed = paired_rounds(lambda: _offload(server, store, name, empty),
                              lambda: _rsync(server, empty / "recordings", directory / "plain-empty"), fixed_rounds)
    finally:
        process.terminate()
        process.wait()
    return transfer, fixed, size


def resume_after_kill(directory: Path) -> float:
    """Seconds from SIGKILL of a recording simulator to the first packet of the resumed recording on disk."""
    config = directory / "config.toml"
    config.write_text("[sim]\ncamera_width = 160\ncamera_height = 96\n")

    def start(scenario: str) -> subprocess.Popen:
        path = directory / f"scenario-{time.monotonic_ns()}.txt"
        path.write_text(scenario)
        return subprocess.Popen([sys.executable, "-m", "office.cli", "sim", "--headless", "--realtime",
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
        transfer, fixed, size = offload_vs_rsync(Path(directory))
    with tempfile.TemporaryDirectory() as directory:
        docked, _, _ = offload_vs_rsync(Path(directory), DOCK_LINK_KIB_S, fixed_rounds=0)
    with tempfile.TemporaryDirectory() as directory:
        resume = resume_after_kill(Path(directory))
    mb = size / 1e6
    ours_fixed, plain_fixed = statistics.median(fixed.ours), statistics.median(fixed.baseline)
    throughput = Paired([mb / (t - ours_fixed) for t in transfer.ours],
                        [mb / (t - plain_fixed) for t in transfer.baseline])
    return [
        Row.paired(f"offload of a {MINUTES}-min 8 Mbit/s set ({mb:.0f} MB) over loopback SSH, verified, stored, "
                   "receipted, released: end to end", "s", transfer, "plain rsync -a, same files, same sshd"),
        Row.paired("the same, MB/s without each side's median fixed cost", "MB/s", throughput,
                   "plain rsync -a", higher_is_better=True),
        Row.paired(f"the same at the dock's link rate, both sides --bwlimit={DOCK_LINK_KIB_S} KiB/s", "s", docked,
                   "plain rsync -a, same limit"),
        Row.paired("offload fixed cost per run (connection, manifest, remote start-up, receipt)", "s", fixed,
                   "plain rsync of an empty folder"),
        Row("SIGKILL while recording to first resumed packet on disk", resume, "s"),
    ]
