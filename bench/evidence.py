"""Verify and export speed of a recording against the plain tools on the same files: ``sha256sum``
(reading and hashing every byte once) and ``cat`` (reading every byte and writing it out again); and
the export's peak memory and CPU, as a program of its own, against ``ffmpeg -c copy`` remuxing the same
video (decrypted to a raw stream first, for the CPU)."""

from __future__ import annotations

import itertools
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.operations import make_device
from bench.recording import FPS
from bench.table import Paired, Row, paired_rounds
from sim.camera import open_h264_encoder
from storage.export import export_recording
from storage.keys import load_agency_private
from storage.verify import trusted_device_keys, verify_tree

WIDTH, HEIGHT, BITRATE = 1280, 720, 8_000_000
SECONDS = 120
GOP_SECONDS = 2
PROGRAM_ROUNDS = 3
ROOT = Path(__file__).resolve().parent.parent


def h264_gops(seconds: int = GOP_SECONDS) -> list[tuple[bytes, bool]]:
    """Real H.264 (noise, so it is as large as the bitrate allows): ``seconds`` of ``(access unit, keyframe)``."""
    import av

    encoder = open_h264_encoder(WIDTH, HEIGHT, FPS, BITRATE)
    rng = np.random.default_rng(1)
    packets = []
    for index in range(seconds * FPS):
        frame = av.VideoFrame.from_ndarray(rng.integers(0, 256, (HEIGHT, WIDTH, 3), dtype=np.uint8), format="rgb24")
        frame.pts = int(index * 1e6 / FPS)
        packets += [(bytes(p), p.is_keyframe) for p in encoder.encode(frame.reformat(format="yuv420p"))]
    packets += [(bytes(p), p.is_keyframe) for p in encoder.encode(None)]
    return packets


def measured(command: list[str]) -> tuple[float, float]:
    """(peak resident MB, CPU seconds) of one program, as GNU time reports them (its own child only)."""
    result = subprocess.run(["/usr/bin/time", "-f", "%M %U %S", *command], cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {result.stdout[-500:]}{result.stderr[-500:]}")
    peak_kib, user, system = result.stderr.strip().splitlines()[-1].split()
    return int(peak_kib) / 1024, float(user) + float(system)


def export_against_ffmpeg(data: Path, directory: Path) -> tuple[Paired, Paired]:
    """Peak MB and CPU s: ``bodycam evidence export`` against ``ffmpeg -c copy`` of the decrypted video
    (memory), and against decrypting it to a raw stream plus ``ffmpeg -c copy`` (CPU), in paired rounds."""
    recording = next((data / "recordings").iterdir())
    raw, peaks, cpu = directory / "video.h264", Paired([], []), Paired([], [])
    bodycam = str(Path(sys.executable).parent / "bodycam")

    def ours() -> float:
        (directory / "ours.mp4").unlink(missing_ok=True)  # export never overwrites
        peak, seconds = measured([bodycam, "evidence", "export", str(recording), "--device-key",
                                  str(data / "keys" / "device.pub"), "--key", str(data / "office" / "agency.key"),
                                  "--out", str(directory / "ours.mp4")])
        peaks.ours.append(peak)
        return seconds

    def baseline() -> float:
        _, decrypting = measured([sys.executable, "-m", "bench.raw_stream", str(recording),
                                  str(data / "office" / "agency.key"), str(raw)])
        peak, remuxing = measured(["ffmpeg", "-v", "error", "-y", "-f", "h264", "-framerate", str(FPS), "-i",
                                   str(raw), "-c", "copy", str(directory / "ffmpeg.mp4")])
        peaks.baseline.append(peak)
        return decrypting + remuxing

    cpu = paired_rounds(ours, baseline, PROGRAM_ROUNDS)
    return peaks, cpu


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as directory:
        gop = h264_gops()
        streams: dict[str, dict[str, object]] = {"video": {"codec": "h264", "width": WIDTH, "height": HEIGHT,
                                                           "fps": FPS}}
        data = make_device(Path(directory), SECONDS / 60, itertools.cycle(gop), streams)
        files = sorted((data / "recordings").glob("*/*.bcs"))
        megabytes = sum(f.stat().st_size for f in files) / 1e6
        trusted = trusted_device_keys([data / "keys" / "device.pub"])
        agency = load_agency_private(data / "office" / "agency.key")
        out = Path(directory) / "export.mp4"
        plain_hash = min(timed(lambda: subprocess.run(["sha256sum", *map(str, files)], check=True,
                                                      capture_output=True)) for _ in range(3))
        plain_copy = min(timed(lambda: subprocess.run(f"cat {' '.join(map(str, files))} > {out}.cat", shell=True,
                                                      check=True)) for _ in range(3))
        verify = min(timed(lambda: verify_tree(data / "recordings", trusted)) for _ in range(3))
        report = verify_tree(data / "recordings", trusted).recordings[0]
        export = min(timed(lambda: export_recording(report, agency, out)) for _ in range(2))
        peaks, cpu = export_against_ffmpeg(data, Path(directory))
    return [
        Row(f"evidence verify of a {SECONDS} s 720p30 recording ({megabytes:.0f} MB, real H.264 at "
            f"{megabytes * 8 / SECONDS:.1f} Mbit/s): MB/s",
            megabytes / verify, "MB/s", megabytes / plain_hash, "sha256sum of the same files",
            higher_is_better=True),
        Row("evidence export of it to MP4 (decrypt, check, remux): MB/s", megabytes / export, "MB/s",
            megabytes / plain_copy, "cat of the same files to one file", higher_is_better=True),
        Row.paired("bodycam evidence export of it, the whole program: peak memory", "MB", peaks,
                   "ffmpeg -c copy of its decrypted video to MP4"),
        Row.paired("the same export: CPU", "CPU s", cpu,
                   "decrypting it to a raw H.264 stream, then ffmpeg -c copy to MP4"),
    ]
