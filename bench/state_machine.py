"""Events per second through the pure machine, against a bare loop over the same events."""

from __future__ import annotations

import itertools
import time

from bench.table import Row
from states import MachineConfig, initial_state, step
from states.events import BatteryLevel, ButtonDown, ButtonUp, StorageLevel, TimerExpired
from states.model import Button, DeviceState, Timer


def _events(count: int) -> list:
    """A shift's mix: display on, record, marker, stop hold with ticks, display off, sensor readings."""
    cycle = [
        (0.0, lambda t: ButtonDown(t, Button.DISPLAY)),
        (0.2, lambda t: ButtonUp(t, Button.DISPLAY)),
        (5.0, lambda t: ButtonDown(t, Button.RECORD)),
        (5.2, lambda t: ButtonUp(t, Button.RECORD)),
        (9.0, lambda t: ButtonDown(t, Button.RECORD)),
        (9.1, lambda t: ButtonUp(t, Button.RECORD)),
        (20.0, lambda t: ButtonDown(t, Button.RECORD)),
        (21.0, lambda t: TimerExpired(t, Timer.RECORD_HOLD)),
        (22.0, lambda t: TimerExpired(t, Timer.RECORD_HOLD)),
        (23.0, lambda t: TimerExpired(t, Timer.RECORD_HOLD)),
        (23.5, lambda t: ButtonUp(t, Button.RECORD)),
        (25.0, lambda t: BatteryLevel(t, 80.0)),
        (26.0, lambda t: StorageLevel(t, 10 << 30, 32 << 30)),
        (30.0, lambda t: ButtonDown(t, Button.DISPLAY)),
        (30.2, lambda t: ButtonUp(t, Button.DISPLAY)),
    ]
    events = []
    for n in itertools.count():
        for offset, make in cycle:
            events.append(make(n * 40.0 + offset))
            if len(events) == count:
                return events
    raise AssertionError


def run(count: int = 200_000) -> list[Row]:
    config = MachineConfig()
    events = _events(count)

    def machine() -> None:
        state = initial_state(0.0)
        for event in events:
            state = step(config, state, event).state

    def bare() -> None:
        state = initial_state(0.0)
        for event in events:
            state = _identity(config, state, event)

    ours = _best_of(machine, 3)
    baseline = _best_of(bare, 3)
    return [
        Row("state machine: events/s", count / ours, "ev/s"),
        Row("state machine: time per event", ours / count * 1e6, "µs", baseline / count * 1e6,
            "bare loop + call"),
    ]


def _identity(config: MachineConfig, state: DeviceState, event: object) -> DeviceState:
    return state


def _best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best
