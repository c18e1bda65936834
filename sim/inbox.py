"""An inbox that runs the simulation while the firmware waits: waiting is advancing virtual time."""

from __future__ import annotations

from collections import deque

from bodycam.errors import BodycamError
from sim.clock import VirtualClock
from states.events import Event


class SimulationStalled(BodycamError, RuntimeError):
    """The firmware waits with no deadline and nothing is scheduled: it would wait forever."""


class VirtualInbox:
    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._events: deque[Event] = deque()

    def put(self, event: Event) -> None:
        self._events.append(event)

    def get(self, deadline: float | None) -> Event | None:
        while not self._events:
            due = self._clock.next_due()
            if due is not None and (deadline is None or due <= deadline):
                self._clock.run_next()
            elif deadline is not None:
                self._clock.advance_to(deadline)
                return None
            else:
                raise SimulationStalled("nothing scheduled and no deadline: the scenario needs an `end` step")
        return self._events.popleft()
