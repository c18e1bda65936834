"""A recording of any length, and a segment of any size, verifies and exports in the memory of a chunk
(a second of video), not of the segment or the recording."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_storage_recorder import AUDIO_US, make_recorder

ROOT = Path(__file__).resolve().parent.parent
HOUR_S = 3600
FPS = 10
PICTURE = 4096  # bytes a frame: 147 MB of picture in the hour, small frames at a low rate to build quickly
LIMIT_MB = 150
LARGE_FRAMES = 2000  # 64 KiB each: one segment of 125 MiB
SEGMENT_LIMIT_MB = 110
"""The program's own peak (Python, cryptography and PyAV take about 60 MB) below the segment's size."""
STREAMS = {"video": {"codec": "h264", "width": 160, "height": 96, "fps": FPS},
           "audio": {"codec": "aac", "sample_rate": 48_000, "channels": 1, "extradata": ""}}


@pytest.fixture(scope="module")
def hour(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hour")
    errors: list[str] = []
    recorder = make_recorder(root, errors, streams=STREAMS, segment_s=60.0)
    recorder.start("announced", 0.0)
    sound_us = 0
    for index in range(HOUR_S * FPS):
        pts = index * 1_000_000 // FPS
        recorder.packet(index.to_bytes(4, "big") * (PICTURE // 4), index % FPS == 0, pts)
        while sound_us < pts:
            recorder.packet(b"s" * 40, False, sound_us, "audio")
            sound_us += AUDIO_US
    summary = recorder.stop("stop-hold")
    recorder.close()
    assert errors == [] and summary is not None and summary["segments"] >= 60
    return root / "recordings" / str(summary["recording"])


def exported(recording: Path, out: Path) -> dict[str, float]:
    """Verify and export ``recording`` in a program of its own: its packets, seconds and peak memory (VmHWM,
    the new program's own peak: ru_maxrss carries the forking parent's, pytest's, over the exec)."""
    code = f"""
import json, re
from pathlib import Path
from storage.export import export_recording
from storage.keys import load_agency_private
from storage.verify import check_recording
report = check_recording(Path({str(recording)!r}), {{}})
result = export_recording(report, load_agency_private(Path({str(recording.parent.parent / "office/agency.key")!r})),
                          Path({str(out)!r}))
print(json.dumps({{"video": result.video_packets, "seconds": result.duration_s,
                  "peak_mb": int(re.search(r"VmHWM:\\s+(\\d+)", Path("/proc/self/status").read_text())[1]) / 1024}}))
"""
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_an_hour_long_recording_exports_in_bounded_memory(hour, tmp_path):
    measured = exported(hour, tmp_path / "hour.mp4")
    assert measured["video"] == HOUR_S * FPS and measured["seconds"] >= HOUR_S - 1
    assert measured["peak_mb"] < LIMIT_MB, f"peak {measured['peak_mb']:.0f} MB"
    recorded_mb = sum(path.stat().st_size for path in hour.glob("*.bcs")) / 2**20
    assert recorded_mb > LIMIT_MB, "held whole, the recording alone would pass the limit"


def test_one_segment_larger_than_the_limit_verifies_and_exports_in_the_memory_of_a_chunk(tmp_path):
    """A camera set to long segments (or a hostile one) writes one file of hundreds of MB: reading it is
    mapped and given back as it goes, decrypting and muxing go chunk by chunk."""
    errors: list[str] = []
    recorder = make_recorder(tmp_path, errors, streams={"video": STREAMS["video"]}, segment_s=3600.0)
    recording = recorder.start("announced", 0.0)
    frame = bytes(range(256)) * 256  # 64 KiB
    for index in range(LARGE_FRAMES):
        recorder.packet(frame, index % FPS == 0, index * 1_000_000 // FPS)
    recorder.stop("stop-hold")
    recorder.close()
    (segment,) = (tmp_path / "recordings" / recording).glob("*.bcs")
    assert errors == [] and segment.stat().st_size / 2**20 > SEGMENT_LIMIT_MB
    measured = exported(segment.parent, tmp_path / "large.mp4")
    assert measured["video"] == LARGE_FRAMES
    assert measured["peak_mb"] < SEGMENT_LIMIT_MB, f"peak {measured['peak_mb']:.0f} MB"
