"""Outputs of the machine: what the imperative shell must do, in order."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from states.model import Timer


class Feedback(StrEnum):
    """Tone and vibration patterns; the shell maps each to sounds and pulses."""

    START = "start"
    STOP = "stop"
    REMINDER = "reminder"
    LOW_BATTERY = "low-battery"
    DENIED = "denied"
    HINT = "hint"
    HOLD_TICK = "hold-tick"
    MARKER = "marker"


class Announcement(StrEnum):
    DISPLAY_ON = "display-on"
    RECORDING_STARTED = "recording-started"
    RECORDING_STOPPED = "recording-stopped"


class Message(StrEnum):
    """Transient texts on the front display; the shell localises them."""

    RECORDING_STOPPED = "recording-stopped"
    BATTERY_LOW = "battery-low"
    BATTERY_CRITICAL = "battery-critical"
    STORAGE_LOW = "storage-low"
    STORAGE_FULL = "storage-full"
    CAMERA_FAULT = "camera-fault"
    OFFLOAD_OVERDUE = "offload-overdue"


class Led(StrEnum):
    OFF = "off"
    READY = "ready"
    DISPLAY = "display"
    RECORDING = "recording"


@dataclass(frozen=True)
class SetCamera:
    on: bool


@dataclass(frozen=True)
class SetDisplay:
    on: bool


@dataclass(frozen=True)
class SetDimmed:
    dimmed: bool


@dataclass(frozen=True)
class SetLeds:
    led: Led
    fault: bool


@dataclass(frozen=True)
class PlayFeedback:
    pattern: Feedback


@dataclass(frozen=True)
class Announce:
    announcement: Announcement


@dataclass(frozen=True)
class ShowMessage:
    message: Message


@dataclass(frozen=True)
class StartRecording:
    reason: str
    pressed_at: float
    """When the officer acted; pre-record reaches back from here."""


@dataclass(frozen=True)
class StopRecording:
    reason: str


@dataclass(frozen=True)
class AddMarker:
    at: float


@dataclass(frozen=True)
class SetTimer:
    timer: Timer
    due: float


@dataclass(frozen=True)
class CancelTimer:
    timer: Timer


@dataclass(frozen=True)
class RetryCamera:
    pass


@dataclass(frozen=True)
class PowerOff:
    pass


@dataclass(frozen=True)
class Audit:
    """A decision worth keeping in the audit trail that no other action records."""

    kind: str
    details: dict[str, object] = field(default_factory=dict)


Action = (
    SetCamera
    | SetDisplay
    | SetDimmed
    | SetLeds
    | PlayFeedback
    | Announce
    | ShowMessage
    | StartRecording
    | StopRecording
    | AddMarker
    | SetTimer
    | CancelTimer
    | RetryCamera
    | PowerOff
    | Audit
)
