"""Clock, free space and power-off of the machine the firmware runs on."""

from __future__ import annotations

import ctypes
import ctypes.util
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

TIME_ERROR = 5  # adjtimex(2): the clock is not synchronised


class SystemClock:
    def now(self) -> float:
        return time.monotonic()

    def utc(self) -> datetime:
        return datetime.now(UTC)

    def utc_at(self, t: float) -> datetime:
        return datetime.now(UTC) - timedelta(seconds=time.monotonic() - t)

    def synchronised(self) -> bool:
        """The kernel's view (adjtimex), as kept by NTP or systemd-timesyncd."""
        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
            timex = ctypes.create_string_buffer(512)  # struct timex, modes = 0: read only
            return libc.adjtimex(timex) not in (-1, TIME_ERROR)
        except (OSError, AttributeError):
            return False


class DiskSpace:
    def __init__(self, path: Path) -> None:
        self._path = path

    def usage(self) -> tuple[int, int]:
        usage = shutil.disk_usage(self._path)
        return usage.free, usage.total


def boot_id(path: Path = Path("/proc/sys/kernel/random/boot_id")) -> str:
    """The kernel's id of this boot: equal across a service restart, new after a power cut."""
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def power_off() -> None:
    """Ask systemd for a clean power-off; the service user needs a polkit rule allowing it (deployment)."""
    subprocess.run(["systemctl", "poweroff"], check=False)
