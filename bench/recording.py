"""The recording path: CPU of ring + encryption + signing + fsync against writing the same bytes plainly,
peak RSS with a full 30 s pre-record, and the time from pressing RECORD to the first durable packet."""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.table import Row
from storage.keys import create_agency_keys, create_device_key, load_device_keys
from storage.segment_format import file_hasher

FPS = 30
BITRATE = 8_000_000
KEYFRAME_WEIGHT = 5  # an I-frame is about five P-frames


def packet_sizes(seconds: int) -> list[int]:
    """Sizes of 1080p30 packets at 8 Mbit/s, one keyframe per second."""
    per_gop = BITRATE // 8
    delta = per_gop // (FPS - 1 + KEYFRAME_WEIGHT)
    return [delta * KEYFRAME_WEIGHT if i % FPS == 0 else delta for i in range(seconds * FPS)]


def write_packet_file(path: Path, seconds: int) -> None:
    rng = random.Random(1)
    with path.open("wb") as f:
        for size in packet_sizes(seconds):
            f.write(size.to_bytes(4, "big") + rng.randbytes(size))


def read_packet_file(path: Path) -> list[bytes]:
    data, packets, offset = path.read_bytes(), [], 0
    while offset < len(data):
        size = int.from_bytes(data[offset : offset + 4], "big")
        packets.append(data[offset + 4 : offset + 4 + size])
        offset += 4 + size
    return packets


def device_keys(directory: Path):
    create_device_key(directory / "keys")
    create_agency_keys(directory / "office")
    (directory / "keys" / "agency.pub").write_bytes((directory / "office" / "agency.pub").read_bytes())
    return load_device_keys(directory / "keys")


def recorder_cpu(packets: list[bytes], directory: Path) -> float:
    from storage.recorder import Recorder, RecorderSettings

    epoch = datetime(2026, 1, 5, tzinfo=UTC)
    recorder = Recorder(RecorderSettings(directory / "recordings", "bench", prerecord_s=30.0),
                        device_keys(directory), to_utc=lambda t: epoch + timedelta(seconds=t),
                        clock_synchronised=lambda: True, on_error=print)
    start = time.process_time()
    recorder.start("announced", 0.0)
    for i, data in enumerate(packets):
        recorder.packet(data, i % FPS == 0, int(i * 1e6 / FPS))
    recorder.stop("stop-hold")
    used = time.process_time() - start
    recorder.close()
    return used


def plain_cpu(packets: list[bytes], path: Path) -> float:
    """The same bytes written as they come, flushed and fsync'd once a second: the floor."""
    start = time.process_time()
    with open(path, "wb", buffering=0) as f:
        for i, data in enumerate(packets):
            f.write(data)
            if i % FPS == FPS - 1:
                os.fsync(f.fileno())
    return time.process_time() - start


RSS_PROBE = """
import sys
import firmware.app, firmware.device, gpiozero, luma.oled.device, numpy, PIL.Image  # what the device loads
from datetime import UTC, datetime, timedelta
from pathlib import Path
sys.path.insert(0, {root!r})
from bench.recording import device_keys, packet_sizes
from storage.recorder import Recorder, RecorderSettings
fill = {fill}
directory = Path({directory!r})
recorder = Recorder(RecorderSettings(directory / "recordings", "bench", prerecord_s=30.0), device_keys(directory),
                    to_utc=lambda t: datetime(2026, 1, 5, tzinfo=UTC) + timedelta(seconds=t),
                    clock_synchronised=lambda: True, on_error=print)
if fill:
    for i, size in enumerate(packet_sizes(60)):
        recorder.packet(bytes(size), i % 30 == 0, int(i * 1e6 / 30))
recorder.stop("bench")
recorder.close()
# VmHWM, not ru_maxrss: the latter keeps the parent's peak across exec.
print(next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM")) / 1024)
"""


def peak_rss_mb(fill: bool) -> float:
    with tempfile.TemporaryDirectory() as directory:
        code = RSS_PROBE.format(root=str(Path(__file__).resolve().parent.parent), fill=fill, directory=directory)
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return float(out.split()[-1])


def press_latency(presses: int = 5) -> tuple[float, float]:
    """Median ms from the RECORD edge to (a) the state change, (b) the first packet durable on disk."""
    from firmware.config import Config, override
    from sim.live import LiveSim

    with tempfile.TemporaryDirectory() as directory:
        sim = LiveSim(override(Config(), storage={"data_dir": directory}, buttons={"hold_stop_s": 1.0,
                                                                                   "hold_start_s": 0.5}))
        sim.start()
        controls, recordings = sim.controls, Path(directory) / "recordings"
        controls.set_button("display", True)
        time.sleep(0.1)
        controls.set_button("display", False)
        time.sleep(1.5)  # pre-record fills
        decided, durable = [], []
        for _ in range(presses):
            before = set(recordings.glob("*/seg-*.bcs")) if recordings.exists() else set()
            pressed = time.monotonic()
            controls.set_button("record", True)
            state_at = file_at = None
            while file_at is None and time.monotonic() - pressed < 5:
                if state_at is None and str(sim.stage) == "recording":
                    state_at = time.monotonic()
                new = set(recordings.glob("*/seg-*.bcs")) - before if recordings.exists() else set()
                if any(p.stat().st_size > 2000 for p in new):  # header plus a sealed chunk
                    file_at = time.monotonic()
                time.sleep(0.0005)
            decided.append(((state_at or file_at or pressed) - pressed) * 1000)
            durable.append(((file_at or pressed) - pressed) * 1000)
            controls.set_button("record", False)
            time.sleep(0.2)
            controls.set_button("record", True)  # hold to stop
            time.sleep(1.5)
            controls.set_button("record", False)
            time.sleep(1.5)
        sim.stop()
    return statistics.median(decided), statistics.median(durable)


def parts_cpu(packets: list[bytes]) -> tuple[float, float]:
    """CPU of the two unavoidable parts alone: the file hash over the bytes, ChaCha20-Poly1305 per second."""
    from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

    start = time.process_time()
    digest = file_hasher()
    for data in packets:
        digest.update(data)
    hashed = time.process_time() - start
    aead = ChaCha20Poly1305(bytes(32))
    start = time.process_time()
    for second in range(len(packets) // FPS):
        aead.encrypt(second.to_bytes(12, "big"), b"".join(packets[second * FPS : (second + 1) * FPS]), b"")
    return hashed, time.process_time() - start


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as directory:
        base = Path(directory)
        write_packet_file(base / "packets.bin", 60)
        packets = read_packet_file(base / "packets.bin")
        ours = min(recorder_cpu(packets, base / f"r{i}") for i in range(2))
        plain = min(plain_cpu(packets, base / f"plain{i}.bin") for i in range(2))
        hashed, encrypted = parts_cpu(packets)
    idle_rss, full_rss = peak_rss_mb(False), peak_rss_mb(True)
    decided, durable = press_latency()
    return [
        Row("1080p30 8 Mbit/s: CPU per minute, ring+encrypt+sign+fsync", ours, "CPU s/min", plain,
            "plain write + fsync"),
        Row("  of which BLAKE2b over every byte (signatures, chain)", hashed, "CPU s/min"),
        Row("  of which ChaCha20-Poly1305 (encryption)", encrypted, "CPU s/min"),
        Row("peak RSS, firmware modules + 30 s pre-record at 8 Mbit/s", full_rss, "MB", idle_rss,
            "same, pre-record empty"),
        Row("RECORD press to first packet durable on disk", durable, "ms", decided, "press to state change"),
    ]
