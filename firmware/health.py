"""The service's own health report, read by ``bodycam deploy`` to decide whether a new release stays.

The running service writes ``health.json`` into systemd's ``RuntimeDirectory`` (``$RUNTIME_DIRECTORY``,
``/run/bodycam``) once per second from its event loop: the version that runs, its pid, a beat that only
advances while the loop is alive, the stage, and every part that failed. Deploy never opens the camera or
the buttons itself: a second process would fight the service for them and prove nothing about it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from bodycam.version import installed_version

FILE_NAME = "health.json"
INTERVAL_S = 1.0
SERVICE_RUNTIME_DIRECTORY = Path("/run/bodycam")  # the unit's RuntimeDirectory=


def firmware_version() -> str:
    return installed_version() or "0+unknown"


def runtime_directory(environ: Mapping[str, str] | None = None) -> Path | None:
    """systemd's ``RuntimeDirectory=`` (the first, when several are set); None outside a service."""
    value = (os.environ if environ is None else environ).get("RUNTIME_DIRECTORY", "")
    first = value.split(":")[0]
    return Path(first) if first else None


class HealthReport:
    """Rewrites ``health.json`` atomically (a reader never sees half a report)."""

    def __init__(self, directory: Path | None, version: str | None = None) -> None:
        self.path = None if directory is None else directory / FILE_NAME
        self._version = version or firmware_version()
        self._beat = 0

    def write(self, stage: str, camera_fault: bool, faults: Mapping[str, str], utc: str) -> None:
        """Raises OSError when the runtime directory cannot be written (the caller logs it)."""
        if self.path is None:
            return
        self._beat += 1
        report = {"version": self._version, "pid": os.getpid(), "beat": self._beat, "stage": stage,
                  "camera_fault": camera_fault, "faults": dict(faults), "utc": utc}
        partial = self.path.with_name(f".{FILE_NAME}.{os.getpid()}")
        partial.write_text(json.dumps(report) + "\n", encoding="utf-8")
        os.replace(partial, self.path)


def running_service(environ: Mapping[str, str] | None = None) -> int | None:
    """The pid of the firmware service running on this device, from its own report; None when none runs."""
    path = (runtime_directory(environ) or SERVICE_RUNTIME_DIRECTORY) / FILE_NAME
    try:
        pid = json.loads(path.read_text(encoding="utf-8")).get("pid")
    except (OSError, ValueError, AttributeError):
        return None
    if not isinstance(pid, int) or pid <= 0:
        return None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:
        pass  # another user's process: it exists
    return pid
