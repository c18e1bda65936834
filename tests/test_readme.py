"""The README's commands, run as written and in order, in an empty folder: the first day works."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_commands() -> list[str]:
    """Every command of the README that runs without hardware, a window or the evidence office's keys."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    commands = [line.split("  #")[0].strip() for block in re.findall(r"```sh\n(.*?)```", text, re.S)
                for line in block.splitlines() if line.startswith(".venv/bin/bodycam sim --headless")]
    commands += [c for c in re.findall(r"`(\.venv/bin/bodycam evidence verify [^`]+)`", text)]
    return commands


def test_the_readmes_simulator_and_evidence_commands_work_as_written(tmp_path):
    commands = readme_commands()
    assert len(commands) == 3, commands  # two headless runs into sim-data, then verify what they recorded
    (tmp_path / "sim").symlink_to(ROOT / "sim")
    for command in commands:
        argv = [sys.executable, "-m", "office.cli", *shlex.split(command)[1:]]
        result = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=150,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert result.returncode == 0, f"{command}\n{result.stdout[-2000:]}{result.stderr[-2000:]}"
    assert "PROBLEM" not in result.stdout and "verify; 0 problem(s)" in result.stdout
    assert list((tmp_path / "shots").glob("*.png"))


def test_the_readmes_video_clip_is_made_and_plays_in_the_simulator(tmp_path):
    assert 'make clip.mp4 sim ARGS="--camera-source clip.mp4"' in (ROOT / "README.md").read_text(encoding="utf-8")
    subprocess.run(["make", "-s", "-C", str(ROOT), "-n", "clip.mp4"], check=True, capture_output=True)
    from sim.clip import make_clip

    clip = make_clip(tmp_path / "clip.mp4", seconds=1.0)
    (tmp_path / "s.txt").write_text("0 press display\n1 press record\n3 hold record 3\n8 end\n")
    result = subprocess.run([sys.executable, "-m", "office.cli", "sim", "--headless", "--scenario", "s.txt",
                             "--camera-source", str(clip), "--data-dir", "d"], cwd=tmp_path, capture_output=True,
                            text=True, timeout=150, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "d" / "recordings").glob("*/seg-*.bcs"))
