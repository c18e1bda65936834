"""The pure three-stage state machine: ``(config, state, event) -> Step``.

Nothing in this package performs I/O, starts threads or reads a clock; time arrives inside events.
"""

from states.actions import Action
from states.config import MachineConfig
from states.events import Event
from states.machine import Step, initial_state, step
from states.model import Button, DeviceState, Stage

__all__ = [
    "Action",
    "Button",
    "DeviceState",
    "Event",
    "MachineConfig",
    "Stage",
    "Step",
    "initial_state",
    "step",
]
