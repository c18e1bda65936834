"""Start-up of the two commands people and timers run most, in CPU time against a bare interpreter:
``bodycam --help`` (the station's installation) and the camera's ``offload-session`` with nothing to offer,
which the station starts on the camera at every docking (a Pi Zero 2 W pays about ten times this).

Both sides run with compiled bytecode, as an installed release has it (pip compiles at install): a warm-up
run writes it where this environment would not (PYTHONDONTWRITEBYTECODE). The session runs from a copy of
the camera's packages with the version stamped, as in a release (``bodycam.version``)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from bench.table import Row, paired_rounds
from bodycam.version import RELEASE_VERSION
from storage.keys import create_device_key

ROUNDS = 15
ROOT = Path(__file__).resolve().parent.parent
CAMERA_PACKAGES = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["bodycam"]["camera"]["packages"]


ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _cpu(command: list[str]) -> float:
    """CPU seconds (user + system) of one run of ``command``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, cwd=ROOT, env=ENVIRONMENT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                   check=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run() -> list[Row]:
    bare = [sys.executable, "-c", "pass"]
    with tempfile.TemporaryDirectory() as directory:
        data, camera = Path(directory) / "data", Path(directory) / "camera"
        create_device_key(data / "keys")
        for package in CAMERA_PACKAGES:
            shutil.copytree(ROOT / package, camera / package, ignore=shutil.ignore_patterns("__pycache__"))
        (camera / RELEASE_VERSION).write_text("0.1.0+bench\n")
        help_command = [str(Path(sys.executable).with_name("bodycam")), "--help"]
        session = [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(camera)!r}); "
                   "from bodycam.camera import main; sys.exit(main())", "offload-session", "--data-dir", str(data)]
        for warm_up in (help_command, session, bare):
            _cpu(warm_up)
        help_rounds = paired_rounds(lambda: _cpu(help_command), lambda: _cpu(bare), ROUNDS)
        session_rounds = paired_rounds(lambda: _cpu(session), lambda: _cpu(bare), ROUNDS)
    return [
        Row.paired("start-up: bodycam --help, CPU (target ≤ 2.5× the bare interpreter)", "CPU s", help_rounds,
                   "python -c pass"),
        Row.paired("start-up: the camera's offload-session, nothing to offer, CPU", "CPU s", session_rounds,
                   "python -c pass"),
    ]
