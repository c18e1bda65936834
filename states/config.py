"""Settings the machine decides with. Filled from the device config by the composition root."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class MachineConfig:
    hold_start_s: float = 1.5
    """RECORD held this long in ``worn`` starts recording without announcement (imminent danger)."""
    hold_stop_s: float = 3.0
    """RECORD held this long while recording stops it: deliberate, so a struggle does not stop it."""
    hold_tick_s: float = 1.0
    """Haptic tick interval while the stop hold is in progress."""
    reminder_interval_s: float = 120.0
    display_idle_timeout_s: float = 0.0
    """Back to ``worn`` after this long in ``display`` without a button press; 0 switches it off."""
    display_dim_after_s: float = 0.0
    """Dim the display after this long in ``display`` without a button press; 0 switches it off."""
    camera_in_worn: bool = False
    """Keep the camera running in ``worn`` (pre-record in stage 1, where the deployment allows it)."""
    camera_retry_s: float = 5.0
    battery_warn_percent: tuple[float, ...] = (20.0, 10.0)
    battery_critical_percent: float = 5.0
    storage_reserve_bytes: int = 200 * 1024 * 1024
    """Recording stops once free space falls to this reserve, so a segment can always be finalised."""
    storage_warn_percent: float = 10.0
    announce_display: bool = True
    announce_recording_start: bool = True
    announce_recording_stop: bool = True
