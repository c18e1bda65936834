"""SIGTERM (systemd stop) and SIGINT (Ctrl-C) become a shutdown event: the loop finalises, then exits."""

from __future__ import annotations

import signal

from firmware.inbox import Inbox
from hal.interfaces import Clock
from states.events import ShutdownRequested


def install_shutdown_signals(inbox: Inbox, clock: Clock) -> None:
    def request_shutdown(signum: int, _frame: object) -> None:
        inbox.put(ShutdownRequested(clock.now(), signal.Signals(signum).name.lower()))

    signal.signal(signal.SIGTERM, request_shutdown)
    signal.signal(signal.SIGINT, request_shutdown)
