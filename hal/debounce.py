"""Contact debouncing for push buttons.

The first edge is taken at once (no added latency); edges within ``window_s`` after it are bounce.
When the window closes, the pin is read again: a press shorter than the window still gets its
release, so a button can never be left "stuck down" by bounce that swallowed the last edge.
"""

from __future__ import annotations

import threading
from collections.abc import Callable


class Debouncer:
    def __init__(
        self,
        window_s: float,
        now: Callable[[], float],
        read: Callable[[str], bool],
        schedule: Callable[[float, Callable[[], None]], None],
        emit: Callable[[str, bool, float], None],
    ) -> None:
        self._window = window_s
        self._now = now
        self._read = read
        self._schedule = schedule
        self._emit = emit
        self._lock = threading.Lock()
        self._state: dict[str, bool] = {}
        self._accepted_at: dict[str, float] = {}
        self._settle_pending: set[str] = set()

    def edge(self, name: str, pressed: bool) -> None:
        t = self._now()
        with self._lock:
            if self._state.get(name, False) == pressed:
                return
            last = self._accepted_at.get(name)
            if last is not None and t - last < self._window:
                if name not in self._settle_pending:
                    self._settle_pending.add(name)
                    self._schedule(last + self._window - t, lambda: self._settle(name))
                return
            self._accept(name, pressed, t)
        self._emit(name, pressed, t)

    def _settle(self, name: str) -> None:
        with self._lock:
            self._settle_pending.discard(name)
            pressed = self._read(name)
            if self._state.get(name, False) == pressed:
                return
            t = self._now()
            self._accept(name, pressed, t)
        self._emit(name, pressed, t)

    def _accept(self, name: str, pressed: bool, t: float) -> None:
        self._state[name] = pressed
        self._accepted_at[name] = t
