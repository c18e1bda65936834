"""A power cut while recording: everything up to the last flushed chunk survives and verifies."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from firmware.cli import main
from storage.keys import load_agency_private
from storage.segment_reader import decrypt_segment
from storage.verify import check_recording

ROOT = Path(__file__).resolve().parent.parent


def test_power_cut_loses_at_most_the_last_chunk(tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("[sim]\ncamera_width = 160\ncamera_height = 96\n[recording]\nsegment_s = 2\n")
    scenario = tmp_path / "scenario.txt"
    scenario.write_text("0 press display\n1 press record\n600 end\n")
    data = tmp_path / "data"
    process = subprocess.Popen(
        [sys.executable, "-m", "firmware.cli", "sim", "--headless", "--realtime", "--scenario", str(scenario),
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
