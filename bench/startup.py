"""Start-up of the two commands people and timers run most, in CPU time against a bare interpreter:
``bodycam --help`` (the station's installation) and the camera's ``offload-session`` with nothing to offer,
which the station starts on the camera at every docking (a Pi Zero 2 W pays about ten times this)."""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.table import Row, paired_rounds
from storage.keys import create_device_key

ROUNDS = 15
ROOT = Path(__file__).resolve().parent.parent


def _cpu(command: list[str]) -> float:
    """CPU seconds (user + system) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run() -> list[Row]:
    bare = [sys.executable, "-c", "pass"]
    with tempfile.TemporaryDirectory() as directory:
        create_device_key(Path(directory) / "keys")
        help_rounds = paired_rounds(lambda: _cpu([str(Path(sys.executable).with_name("bodycam")), "--help"]),
                                    lambda: _cpu(bare), ROUNDS)
        session = [sys.executable, "-m", "bodycam", "offload-session", "--data-dir", directory]
        session_rounds = paired_rounds(lambda: _cpu(session), lambda: _cpu(bare), ROUNDS)
    return [
        Row.paired("start-up: bodycam --help, CPU (target ≤ 2.5× the bare interpreter)", "CPU s", help_rounds,
                   "python -c pass"),
        Row.paired("start-up: the camera's offload-session, nothing to offer, CPU", "CPU s", session_rounds,
                   "python -c pass"),
    ]
