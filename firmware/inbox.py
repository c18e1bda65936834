"""The event queue between hardware callbacks (any thread) and the one thread that owns the state."""

from __future__ import annotations

import queue
from typing import Protocol

from hal.interfaces import Clock
from states.events import Event


class Inbox(Protocol):
    def put(self, event: Event) -> None: ...

    def get(self, deadline: float | None) -> Event | None:
        """The next event, or None once ``deadline`` (clock time) has passed without one."""


class ThreadedInbox:
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._queue: queue.SimpleQueue[Event] = queue.SimpleQueue()

    def put(self, event: Event) -> None:
        self._queue.put(event)

    def get(self, deadline: float | None) -> Event | None:
        timeout = None if deadline is None else max(0.0, deadline - self._clock.now())
        try:
            return self._queue.get(timeout=timeout)
        except queue.Empty:
            return None
