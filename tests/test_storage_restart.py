"""A firmware killed while recording resumes at once in the same boot, and closes what it left open."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from office.cli import main
from storage.verify import check_recording

ROOT = Path(__file__).resolve().parent.parent
def start(tmp_path: Path, scenario: str, boot_id: str = "") -> subprocess.Popen:
    """The simulator in real time; ``boot_id`` other than this machine's simulates a new boot."""
    (tmp_path / "config.toml").write_text(f'[sim]\ncamera_width = 160\ncamera_height = 96\nboot_id = "{boot_id}"\n'
                                          "[recording]\nsegment_s = 2\n")
    (tmp_path / "scenario.txt").write_text(scenario)
    return subprocess.Popen(
        [sys.executable, "-m", "office.cli", "sim", "--headless", "--realtime", "--scenario",
         str(tmp_path / "scenario.txt"), "--config", str(tmp_path / "config.toml"), "--data-dir",
         str(tmp_path / "data")],
        stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
    )


def kill_while_recording(tmp_path: Path) -> None:
    process = start(tmp_path, "0 press display\n0.5 press record\n600 end\n")
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if json.loads(line).get("to") == "recording":
                break
        time.sleep(3.0)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)


def run_to_end(tmp_path: Path, boot_id: str = "") -> list[dict]:
    process = start(tmp_path, "3 end\n", boot_id)
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 0
    return [json.loads(line) for line in out.splitlines()]


def test_restart_in_the_same_boot_resumes_recording_and_finalises_the_interrupted_one(tmp_path, capsys):
    kill_while_recording(tmp_path)
    killed_at = time.monotonic()
    records = run_to_end(tmp_path)
    recovery = next(r for r in records if r["type"] == "recovery")
    assert recovery["resume"] and len(recovery["finalised"]) == 1
    resumed = next(r for r in records if r["type"] == "transition")
    assert (resumed["from"], resumed["to"], resumed["reason"]) == ("worn", "recording", "resumed-after-restart")
    assert resumed["t"] - killed_at < 10  # at once: within the restart itself
    first, second = sorted((tmp_path / "data" / "recordings").iterdir())
    interrupted = check_recording(first, {})
    assert interrupted.problems == [] and "interrupted" in interrupted.notes[0]
    assert interrupted.segments[-1].trailer["stop_reason"] == "interrupted"
    assert check_recording(second, {}).segments[0].header["reason"] == "resumed-after-restart"
    assert main(["evidence", "verify", str(tmp_path / "data"),
                 "--device-key", str(tmp_path / "data/keys/device.pub")]) == 0
    assert "PROBLEM" not in capsys.readouterr().out


def test_restart_after_a_power_cut_starts_in_worn_and_still_closes_the_segment(tmp_path):
    kill_while_recording(tmp_path)
    records = run_to_end(tmp_path, boot_id="a-later-boot")
    recovery = next(r for r in records if r["type"] == "recovery")
    assert not recovery["resume"] and len(recovery["finalised"]) == 1
    assert [r for r in records if r["type"] == "transition"] == [
        next(r for r in records if r["type"] == "transition" and r["to"] == "shutdown")
    ], "no recording after a new boot: the officer decides again"
    (recording,) = (tmp_path / "data" / "recordings").iterdir()
    assert check_recording(recording, {}).problems == []
