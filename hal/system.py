"""Clock, free space and power-off of the machine the firmware runs on."""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import UTC, datetime
from pathlib import Path


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def utc(self) -> datetime:
        return datetime.now(UTC)


class DiskSpace:
    def __init__(self, path: Path) -> None:
        self._path = path

    def usage(self) -> tuple[int, int]:
        usage = shutil.disk_usage(self._path)
        return usage.free, usage.total


def power_off() -> None:
    """Ask systemd for a clean power-off; the service user needs a polkit rule allowing it (deployment)."""
    subprocess.run(["systemctl", "poweroff"], check=False)
