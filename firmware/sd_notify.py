"""systemd's notify protocol, spoken directly over its datagram socket (no dependency needed).

``READY=1`` once the firmware runs, ``WATCHDOG=1`` from the event loop (so a stuck loop is restarted),
``STATUS=`` with the stage. Outside systemd (``NOTIFY_SOCKET`` unset) every call does nothing.
"""

from __future__ import annotations

import contextlib
import os
import socket


class Notifier:
    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        if address.startswith("@"):  # abstract namespace
            address = "\0" + address[1:]
        self._address = address or None
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        watched = usec.isdigit() and (not pid or pid == str(os.getpid()))
        self.watchdog_interval = int(usec) / 2e6 if watched else None
        """Seconds between ``WATCHDOG=1`` pings (half the timeout, as systemd recommends); None: no watchdog."""

    @property
    def active(self) -> bool:
        return self._address is not None

    def send(self, *fields: str) -> None:
        if self._address is None:
            return
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)  # the event loop must never wait for systemd
            # systemd's queue full or gone: one lost status line or ping is harmless
            with contextlib.suppress(BlockingIOError, ConnectionRefusedError, FileNotFoundError):
                sock.sendto("\n".join(fields).encode(), self._address)

    def ready(self, status: str) -> None:
        self.send("READY=1", f"STATUS={status}")

    def watchdog(self) -> None:
        self.send("WATCHDOG=1")

    def status(self, status: str) -> None:
        self.send(f"STATUS={status}")

    def stopping(self) -> None:
        self.send("STOPPING=1")
