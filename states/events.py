"""Inputs to the machine. Every event carries ``t``: monotonic seconds from the shell's clock."""

from __future__ import annotations

from dataclasses import dataclass

from states.model import Button, Timer


@dataclass(frozen=True)
class ButtonDown:
    t: float
    button: Button


@dataclass(frozen=True)
class ButtonUp:
    t: float
    button: Button


@dataclass(frozen=True)
class TimerExpired:
    t: float
    timer: Timer


@dataclass(frozen=True)
class BatteryLevel:
    t: float
    percent: float
    charging: bool = False


@dataclass(frozen=True)
class StorageLevel:
    t: float
    free_bytes: int
    total_bytes: int


@dataclass(frozen=True)
class CameraFault:
    t: float
    detail: str


@dataclass(frozen=True)
class CameraRecovered:
    t: float


@dataclass(frozen=True)
class OffloadOverdue:
    """Footage older than the retention period is still on the device: it should have been offloaded."""

    t: float
    overdue: bool


@dataclass(frozen=True)
class RecordingInterrupted:
    """At start-up: the firmware died while recording, earlier in this same boot."""

    t: float


@dataclass(frozen=True)
class ShutdownRequested:
    t: float
    reason: str
    power_off: bool = False


Event = (
    ButtonDown
    | ButtonUp
    | TimerExpired
    | BatteryLevel
    | StorageLevel
    | CameraFault
    | CameraRecovered
    | RecordingInterrupted
    | OffloadOverdue
    | ShutdownRequested
)
EVENT_TYPES: tuple[type, ...] = Event.__args__
