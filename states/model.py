"""Names and the state record of the machine."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Stage(StrEnum):
    WORN = "worn"
    DISPLAY = "display"
    RECORDING = "recording"
    SHUTDOWN = "shutdown"


class Button(StrEnum):
    DISPLAY = "display"
    RECORD = "record"


class Timer(StrEnum):
    """Timers the machine asks the shell to run; each name has at most one pending expiry."""

    RECORD_HOLD = "record-hold"
    REMINDER = "reminder"
    DISPLAY_IDLE = "display-idle"
    DISPLAY_DIM = "display-dim"
    CAMERA_RETRY = "camera-retry"


@dataclass(frozen=True)
class DeviceState:
    stage: Stage
    since: float
    # The RECORD button: when it went down (None while up) and whether this press already acted,
    # so that its release or a later hold milestone does nothing more.
    record_down_at: float | None = None
    record_press_consumed: bool = False
    recording_started_at: float | None = None
    recording_reason: str | None = None
    last_interaction: float = 0.0
    camera_fault: bool = False
    battery_percent: float | None = None
    # Lowest battery warning threshold already announced; None when none is pending.
    battery_warned_at: float | None = None
    storage_full: bool = False
    storage_low_warned: bool = False
    display_dimmed: bool = False
    offload_overdue_warned: bool = False
