"""The event loop: one thread owns the state, drains the inbox, runs the machine's timers and polls."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from firmware.executor import Executor
from firmware.inbox import Inbox
from firmware.log import JsonLog, Record
from hal.interfaces import Clock
from states import MachineConfig, Stage, step
from states.actions import CancelTimer, SetTimer
from states.events import ButtonDown, ButtonUp, Event, TimerExpired
from states.machine import initial_actions, initial_state
from states.model import Button, DeviceState, Timer


@dataclass
class Poll:
    """A sensor read every ``period`` seconds, turned into an event (or None when nothing to say)."""

    name: str
    period: float
    read: Callable[[float], Event | None]
    due: float = 0.0


def describe(event: Event) -> dict[str, object]:
    """The event as log fields: its kind in kebab case plus its own fields except ``t``."""
    name = type(event).__name__
    kind = "".join(f"-{c.lower()}" if c.isupper() else c for c in name).lstrip("-")
    fields = {k: _loggable(v) for k, v in vars(event).items() if k != "t"}
    return {"event": kind, **fields}


def _loggable(value: object) -> object:
    if isinstance(value, float):
        return round(value, 3)
    return str(value) if hasattr(value, "value") else value  # enums by their value


class EventLoop:
    def __init__(
        self,
        config: MachineConfig,
        clock: Clock,
        inbox: Inbox,
        executor: Executor,
        log: JsonLog,
        polls: list[Poll],
        on_stage: Callable[[str], None] = lambda stage: None,
    ) -> None:
        self._config = config
        self._clock = clock
        self._inbox = inbox
        self._executor = executor
        self._log = log
        self._polls = polls
        self._on_stage = on_stage
        self._timers: dict[Timer, float] = {}
        self.state = initial_state(clock.now())

    def run(self) -> DeviceState:
        t = self._clock.now()
        self._log.write(Record.START, t, stage=str(self.state.stage))
        for action in initial_actions(self._config, self.state):
            self._executor.run(action, t)
        self._executor.show_state(self.state, t)
        for poll in self._polls:
            poll.due = t
        while self.state.stage is not Stage.SHUTDOWN:
            if (due := self._next_due()) is not None and due <= self._clock.now():
                self._fire_due(due)
                continue
            event = self._inbox.get(due)
            if event is not None:
                self.handle(event)
        self._log.write(Record.STOPPED, self._clock.now(), power_off=self._executor.power_off_requested)
        return self.state

    def _next_due(self) -> float | None:
        dues = [*self._timers.values(), *(p.due for p in self._polls)]
        return min(dues) if dues else None

    def _fire_due(self, due: float) -> None:
        now = self._clock.now()
        for timer, timer_due in sorted(self._timers.items(), key=lambda kv: kv[1]):
            if timer_due == due:
                del self._timers[timer]
                self.handle(TimerExpired(now, timer))
                return
        for poll in self._polls:
            if poll.due == due:
                poll.due = now + poll.period
                if (event := poll.read(now)) is not None:
                    self.handle(event)
                return

    def handle(self, event: Event) -> None:
        before = self.state
        result = step(self._config, before, event)
        self.state = result.state
        self._log.write(Record.DECISION, event.t, **describe(event), outcome=result.outcome)
        if result.state.stage is not before.stage:
            self._on_stage(str(result.state.stage))
            self._log.write(Record.TRANSITION, event.t, **{"from": str(before.stage), "to": str(result.state.stage),
                                                      "reason": result.reason})
        for action in result.actions:
            if isinstance(action, SetTimer):
                self._timers[action.timer] = action.due
            elif isinstance(action, CancelTimer):
                self._timers.pop(action.timer, None)
            else:
                self._executor.run(action, event.t)
        self._executor.show_state(result.state, event.t)

    def button_edge(self, name: str, pressed: bool, t: float) -> None:
        """Adapter callback (any thread): only enqueues."""
        kind = ButtonDown if pressed else ButtonUp
        self._inbox.put(kind(t, Button(name)))
