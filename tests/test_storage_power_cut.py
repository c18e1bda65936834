"""A crash (SIGKILL) and a real power cut while recording: everything up to the last chunk made durable
survives and verifies.

A SIGKILL keeps the page cache, so it cannot show a missing fsync; the power-cut test keeps only what
each fsync made durable (file sizes at their last fsync, directory entries at their directory's last
fsync) and nothing else.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from office.cli import main
from storage.keys import load_agency_private
from storage.segment_reader import decrypt_segment
from storage.verify import check_recording

ROOT = Path(__file__).resolve().parent.parent


def test_a_killed_firmware_loses_at_most_the_last_chunk(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("[sim]\ncamera_width = 160\ncamera_height = 96\n[recording]\nsegment_s = 2\n")
    scenario = tmp_path / "scenario.txt"
    scenario.write_text("0 press display\n1 press record\n600 end\n")
    data = tmp_path / "data"
    process = subprocess.Popen(
        [sys.executable, "-m", "office.cli", "sim", "--headless", "--realtime", "--scenario", str(scenario),
         "--config", str(config), "--data-dir", str(data)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert process.stdout is not None
        for line in process.stdout:
            record = json.loads(line)
            if record["type"] == "transition" and record["to"] == "recording":
                break
        time.sleep(4.5)  # several segments and chunks into the recording
        killed_at = time.monotonic()
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)

    assert main(["evidence", "verify", str(data), "--device-key", str(data / "keys/device.pub")]) == 0
    out = capsys.readouterr().out
    assert "truncated (power cut)" in out and "PROBLEM" not in out

    (recording,) = list((data / "recordings").iterdir())
    report = check_recording(recording, {})
    key = load_agency_private(data / "keys" / "agency.key")
    packets = [p for segment in report.segments for p in decrypt_segment(segment, key)]
    last_intact = packets[-1].pts_us / 1e6  # the same CLOCK_MONOTONIC in both processes
    assert killed_at - last_intact <= 1.5
    assert len(packets) >= 4 * 30


class DurableDisk:
    """Watches every fsync: which file sizes and which directory entries a power cut would keep."""

    def __init__(self, real_fsync) -> None:
        self._fsync = real_fsync
        self.sizes: dict[Path, int] = {}
        self.listed: dict[Path, set[str]] = {}
        self.snapshots: list[tuple[dict[Path, int], dict[Path, set[str]]]] = []

    def fsync(self, fd: int) -> None:
        self._fsync(fd)
        path = Path(os.readlink(f"/proc/self/fd/{fd}"))
        if path.is_dir():
            self.listed[path] = set(os.listdir(path))
        else:
            self.sizes[path] = os.fstat(fd).st_size
        self.snapshots.append((dict(self.sizes), {d: set(n) for d, n in self.listed.items()}))

    def restore(self, snapshot, target: Path, root: Path) -> Path:
        """The files under ``root`` as the snapshot kept them, copied to ``target``."""
        sizes, listed = snapshot
        for path, size in sizes.items():
            if root in path.parents and all(part.name in listed.get(part.parent, set())
                                            for part in [path, *path.parents] if root in part.parents):
                copy = target / path.relative_to(root)
                copy.parent.mkdir(parents=True, exist_ok=True)
                copy.write_bytes(path.read_bytes()[:size])
        return target


def test_a_real_power_cut_keeps_only_what_fsync_made_durable_and_loses_at_most_one_chunk(tmp_path, monkeypatch):
    from tests.test_storage_recorder import feed, make_recorder

    disk = DurableDisk(os.fsync)
    monkeypatch.setattr(os, "fsync", disk.fsync)
    errors: list[str] = []
    recorder = make_recorder(tmp_path, errors, segment_s=2.0)
    recorder.start("announced", 0.0)
    feed(recorder, 0, 7)
    recorder.stop("stop-hold")
    recorder.close()
    monkeypatch.undo()
    agency = load_agency_private(tmp_path / "office" / "agency.key")
    recordings = tmp_path / "recordings"
    intact = []
    for number, snapshot in enumerate(disk.snapshots):
        state = disk.restore(snapshot, tmp_path / f"cut{number}", recordings)
        found = [d for d in state.iterdir() if d.is_dir()] if state.exists() else []
        if not found:
            intact.append(None)  # cut before the recording's folder was listed: nothing was recorded yet
            continue
        report = check_recording(found[0], {})
        assert report.problems == [], f"cut after fsync {number}: {report.problems}"
        packets = [p for segment in report.segments for p in decrypt_segment(segment, agency)]
        intact.append(max((p.pts_us for p in packets), default=0))
    assert intact[-1] is not None and intact[-1] >= 6_900_000, "the complete recording is durable at the end"
    kept = [t for t in intact if t is not None]
    assert len(kept) > 10
    for before, after in itertools.pairwise(kept):
        assert after - before <= 1_500_000, "a power cut between two fsyncs loses at most one chunk"
