"""Clocks that can also schedule callbacks: virtual (discrete-event, for scenarios) and real time."""

from __future__ import annotations

import heapq
import itertools
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hal.system import SystemClock

SIM_EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)  # a Monday morning shift start


class Handle:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class VirtualClock:
    """Time stands still until the simulation advances it to the next scheduled callback."""

    def __init__(self, epoch: datetime = SIM_EPOCH) -> None:
        self._t = 0.0
        self._epoch = epoch
        self._queue: list[tuple[float, int, Handle, Callable[[], object]]] = []
        self._order = itertools.count()

    def now(self) -> float:
        return self._t

    def utc(self) -> datetime:
        return self._epoch + timedelta(seconds=self._t)

    def utc_at(self, t: float) -> datetime:
        return self._epoch + timedelta(seconds=t)

    def synchronised(self) -> bool:
        return False  # a made-up epoch: recordings say so

    def call_at(self, due: float, fn: Callable[[], object]) -> Handle:
        handle = Handle()
        heapq.heappush(self._queue, (max(due, self._t), next(self._order), handle, fn))
        return handle

    def call_later(self, delay: float, fn: Callable[[], object]) -> Handle:
        return self.call_at(self._t + delay, fn)

    def call_every(self, period: float, fn: Callable[[], object]) -> Handle:
        """Call ``fn`` every ``period`` seconds from now on; dues are exact multiples, never drifting."""
        handle = Handle()
        start = self._t
        ticks = itertools.count(1)

        def tick() -> None:
            if handle.cancelled:
                return
            fn()
            if not handle.cancelled:
                heapq.heappush(self._queue, (start + next(ticks) * period, next(self._order), handle, tick))

        heapq.heappush(self._queue, (start + next(ticks) * period, next(self._order), handle, tick))
        return handle

    def next_due(self) -> float | None:
        while self._queue and self._queue[0][2].cancelled:
            heapq.heappop(self._queue)
        return self._queue[0][0] if self._queue else None

    def run_next(self) -> None:
        """Advance to the earliest scheduled callback and run it."""
        due, _, handle, fn = heapq.heappop(self._queue)
        self._t = max(self._t, due)
        if not handle.cancelled:
            fn()

    def advance_to(self, t: float) -> None:
        while (due := self.next_due()) is not None and due <= t:
            self.run_next()
        self._t = max(self._t, t)


class RealtimeClock(SystemClock):
    """The system clock plus thread-based scheduling, for the interactive simulator."""

    def call_at(self, due: float, fn: Callable[[], object]) -> Handle:
        return self.call_later(max(0.0, due - self.now()), fn)

    def call_later(self, delay: float, fn: Callable[[], object]) -> Handle:
        handle = Handle()

        def run() -> None:
            if not handle.cancelled:
                fn()

        timer = threading.Timer(delay, run)
        timer.daemon = True
        timer.start()
        return handle

    def call_every(self, period: float, fn: Callable[[], object]) -> Handle:
        handle = Handle()

        def run() -> None:
            next_due = time.monotonic()
            while not handle.cancelled:
                next_due += period
                delay = next_due - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                else:
                    next_due = time.monotonic()  # fell behind: drop, never catch up in a burst
                if not handle.cancelled:
                    fn()

        threading.Thread(target=run, daemon=True, name="sim-ticker").start()
        return handle
