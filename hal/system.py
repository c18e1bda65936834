"""Clock, free space and power-off of the machine the firmware runs on."""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hal.interfaces import HardwareError

TIME_ERROR = 5  # adjtimex(2): the clock is not synchronised
TIMESYNC_FLAG = Path("/run/systemd/timesync/synchronized")
"""systemd-timesyncd (Raspberry Pi OS's time service) touches this file once it has set the clock."""


@functools.cache
def _libc() -> ctypes.CDLL:
    """Loaded once: ``find_library`` runs ``ldconfig -p`` in a child process, and the preview asks for the
    clock's state every second (a fork of the whole firmware each time, on a camera without network)."""
    return ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)


def kernel_time_state() -> int:
    """adjtimex(2) in read-only mode: the kernel's clock state, or -1 when it cannot be asked."""
    try:
        libc = _libc()
        timex = ctypes.create_string_buffer(512)  # struct timex, modes = 0: read only
        return int(libc.adjtimex(timex))
    except (OSError, AttributeError):
        return -1


class SystemClock:
    def __init__(self, timesync_flag: Path = TIMESYNC_FLAG,
                 kernel_state: Callable[[], int] = kernel_time_state) -> None:
        self._timesync_flag = timesync_flag
        self._kernel_state = kernel_state

    def now(self) -> float:
        return time.monotonic()

    def utc(self) -> datetime:
        return datetime.now(UTC)

    def utc_at(self, t: float) -> datetime:
        return datetime.now(UTC) - timedelta(seconds=time.monotonic() - t)

    def synchronised(self) -> bool:
        """systemd-timesyncd's flag, else the kernel's state. The service can only use the flag:
        ProtectClock=yes denies adjtimex even for reading, which then counts as not synchronised."""
        if self._timesync_flag.exists():
            return True
        return self._kernel_state() not in (-1, TIME_ERROR)


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
    """Ask systemd for a clean power-off; the service user needs the polkit rule the installer puts in
    place. A refusal is a HardwareError, so the journal says why the camera did not go off."""
    result = subprocess.run(["systemctl", "poweroff"], capture_output=True, text=True, timeout=30)
    if result.returncode != 0:
        raise HardwareError(f"power-off refused: {result.stderr.strip() or result.returncode} (is the polkit rule "
                            "/etc/polkit-1/rules.d/50-bodycam-power-off.rules in place? bodycam deploy installs it)")
