"""The transition function. Every (stage, event) pair is decided explicitly; see docs/states.md."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from bodycam.errors import BodycamError
from states.actions import (
    Action,
    Announce,
    Announcement,
    Audit,
    CancelTimer,
    Feedback,
    Led,
    Message,
    PlayFeedback,
    PowerOff,
    RetryCamera,
    SetCamera,
    SetDimmed,
    SetDisplay,
    SetLeds,
    SetTimer,
    ShowMessage,
    StartRecording,
    StopRecording,
)
from states.actions import AddMarker as AddMarkerAction
from states.config import MachineConfig
from states.events import (
    BatteryLevel,
    ButtonDown,
    ButtonUp,
    CameraFault,
    CameraRecovered,
    Event,
    OffloadOverdue,
    RecordingInterrupted,
    ShutdownRequested,
    StorageLevel,
    TimerExpired,
)
from states.model import Button, DeviceState, Stage, Timer

REASON_ANNOUNCED = "announced"
REASON_IMMINENT_DANGER = "imminent-danger"
REASON_RESUMED = "resumed-after-restart"
_EPSILON = 1e-9  # timer expiries arrive exactly at their due time in virtual time; absorb float noise


@dataclass(frozen=True)
class Step:
    state: DeviceState
    actions: tuple[Action, ...]
    outcome: str
    """Short name of the decision, logged for every event."""
    reason: str | None = None
    """Why the stage changed; None when it did not."""


class UnhandledEvent(BodycamError, TypeError):
    """An event type the machine has no rule for: a programming error, never a silent no-op."""


def initial_state(t: float) -> DeviceState:
    return DeviceState(stage=Stage.WORN, since=t, last_interaction=t)


def initial_actions(config: MachineConfig, state: DeviceState) -> tuple[Action, ...]:
    """What the shell does at start-up to bring the hardware in line with ``state``."""
    camera, display, leds = _outputs(config, state)
    return (SetCamera(camera), SetDisplay(display), leds)


def step(config: MachineConfig, state: DeviceState, event: Event) -> Step:
    if state.stage is Stage.SHUTDOWN:
        return Step(state, (), "ignored-after-shutdown")
    handler = _HANDLERS.get(type(event))
    if handler is None:
        raise UnhandledEvent(f"no rule for {type(event).__name__}")
    decided = handler(config, state, event)
    return _with_outputs(config, state, decided, event)


# --- helpers -------------------------------------------------------------------------------------


def _outputs(config: MachineConfig, s: DeviceState) -> tuple[bool, bool, SetLeds]:
    camera = s.stage in (Stage.DISPLAY, Stage.RECORDING) or (s.stage is Stage.WORN and config.camera_in_worn)
    display = s.stage in (Stage.DISPLAY, Stage.RECORDING)
    led = {
        Stage.WORN: Led.READY,
        Stage.DISPLAY: Led.DISPLAY,
        Stage.RECORDING: Led.RECORDING,
        Stage.SHUTDOWN: Led.OFF,
    }[s.stage]
    return camera, display, SetLeds(led, s.camera_fault and s.stage is not Stage.SHUTDOWN)


def _with_outputs(config: MachineConfig, old: DeviceState, decided: Step, event: Event) -> Step:
    """Wrap the handler's actions with power and LED changes derived from the state.

    Power-ups come first (the camera runs before a recording starts), power-downs last.
    """
    new = decided.state
    cam0, disp0, leds0 = _outputs(config, old)
    cam1, disp1, leds1 = _outputs(config, new)
    first: list[Action] = []
    last: list[Action] = []
    if cam1 and not cam0:
        first.append(SetCamera(True))
    if disp1 and not disp0:
        first.append(SetDisplay(True))
    if disp0 and not disp1:
        last.append(SetDisplay(False))
    if cam0 and not cam1:
        last.append(SetCamera(False))
    if leds1 != leds0:
        last.append(leds1)
    last.extend(_display_timers(config, old, new, event))
    if new.display_dimmed and (new.stage is not Stage.DISPLAY or isinstance(event, ButtonDown)):
        new = replace(new, display_dimmed=False)  # any press, or leaving the stage, brightens
        last.append(SetDimmed(False))
    return replace(decided, state=new, actions=(*first, *decided.actions, *last))


def _display_timers(config: MachineConfig, old: DeviceState, new: DeviceState, event: Event) -> list[Action]:
    """The idle timeout and the dimming timer run in ``display`` and restart with every press."""
    actions: list[Action] = []
    for timer, delay in ((Timer.DISPLAY_IDLE, config.display_idle_timeout_s),
                         (Timer.DISPLAY_DIM, config.display_dim_after_s)):
        if delay <= 0:
            continue
        if new.stage is Stage.DISPLAY and (old.stage is not Stage.DISPLAY or isinstance(event, ButtonDown)):
            actions.append(SetTimer(timer, event.t + delay))
        elif old.stage is Stage.DISPLAY and new.stage is not Stage.DISPLAY:
            actions.append(CancelTimer(timer))
    return actions


def _enter(state: DeviceState, stage: Stage, t: float, **changes: Any) -> DeviceState:
    return replace(state, stage=stage, since=t, **changes)


def _start_recording(
    config: MachineConfig, state: DeviceState, t: float, reason: str, pressed_at: float
) -> Step:
    consumed = state.record_down_at is not None  # the press that asked, if any; its release does nothing more
    if state.storage_full:
        refused = replace(state, record_press_consumed=consumed)
        denied = (
            PlayFeedback(Feedback.DENIED),
            ShowMessage(Message.STORAGE_FULL),
            Audit("record-refused", {"cause": "storage-full"}),
        )
        return Step(refused, denied, "record-refused-storage-full")
    actions: list[Action] = [StartRecording(reason, pressed_at), PlayFeedback(Feedback.START)]
    if config.announce_recording_start:
        actions.append(Announce(Announcement.RECORDING_STARTED))
    actions.append(SetTimer(Timer.REMINDER, t + config.reminder_interval_s))
    new = _enter(
        state,
        Stage.RECORDING,
        t,
        recording_started_at=t,
        recording_reason=reason,
        record_press_consumed=consumed,
    )
    return Step(new, tuple(actions), "recording-started", reason)


def _stop_recording(state: DeviceState, t: float, reason: str, to: Stage) -> tuple[DeviceState, list[Action]]:
    new = _enter(state, to, t, recording_started_at=None, recording_reason=None)
    return new, [StopRecording(reason), CancelTimer(Timer.REMINDER)]


def _stop_by_hold(config: MachineConfig, state: DeviceState, t: float) -> Step:
    new, actions = _stop_recording(state, t, "stop-hold", Stage.DISPLAY)
    actions += [PlayFeedback(Feedback.STOP), ShowMessage(Message.RECORDING_STOPPED)]
    if config.announce_recording_stop:
        actions.append(Announce(Announcement.RECORDING_STOPPED))
    return Step(replace(new, record_press_consumed=True), tuple(actions), "recording-stopped", "stop-hold")


def _next_stop_milestone(config: MachineConfig, held: float) -> float:
    """Seconds of holding at which the next haptic tick (or the stop itself) is due."""
    next_tick = (math.floor(held / config.hold_tick_s + _EPSILON) + 1) * config.hold_tick_s
    return min(next_tick, config.hold_stop_s)


def _record_gesture(config: MachineConfig, state: DeviceState, t: float, released: bool) -> Step:
    """Decide what an unconsumed RECORD press means, ``held`` seconds after it went down.

    Called on release and on hold-timer expiry; whichever comes first decides, the press is then
    consumed. Deciding on release too means a late timer can never turn a hold into a short press.
    """
    assert state.record_down_at is not None
    pressed_at = state.record_down_at
    held = t - pressed_at
    is_hold = held >= config.hold_start_s - _EPSILON
    match state.stage:
        case Stage.WORN:
            if is_hold:
                return _start_recording(config, state, t, REASON_IMMINENT_DANGER, pressed_at)
            if released:
                actions = (PlayFeedback(Feedback.HINT), Audit("record-hint", {"held_s": round(held, 3)}))
                return Step(state, actions, "hint-no-recording")
            return Step(state, (SetTimer(Timer.RECORD_HOLD, pressed_at + config.hold_start_s),), "hold-pending")
        case Stage.DISPLAY:
            if released or is_hold:
                return _start_recording(config, state, t, REASON_ANNOUNCED, pressed_at)
            return Step(state, (SetTimer(Timer.RECORD_HOLD, pressed_at + config.hold_start_s),), "hold-pending")
        case Stage.RECORDING:
            if held >= config.hold_stop_s - _EPSILON:
                return _stop_by_hold(config, state, t)
            if released and not is_hold:
                return Step(state, (AddMarkerAction(pressed_at), PlayFeedback(Feedback.MARKER)), "marker")
            if released:
                return Step(state, (Audit("stop-hold-aborted", {"held_s": round(held, 3)}),), "stop-hold-aborted")
            due = pressed_at + _next_stop_milestone(config, held)
            return Step(state, (PlayFeedback(Feedback.HOLD_TICK), SetTimer(Timer.RECORD_HOLD, due)), "hold-tick")
        case Stage.SHUTDOWN:
            return Step(state, (), "ignored-after-shutdown")


# --- handlers, one per event type; each decides every stage ----------------------------------------


def _on_button_down(config: MachineConfig, state: DeviceState, e: ButtonDown) -> Step:
    touched = replace(state, last_interaction=e.t)
    if e.button is Button.DISPLAY:
        match state.stage:
            case Stage.WORN:
                actions = (Announce(Announcement.DISPLAY_ON),) if config.announce_display else ()
                return Step(_enter(touched, Stage.DISPLAY, e.t), actions, "display-on", "display-button")
            case Stage.DISPLAY:
                return Step(_enter(touched, Stage.WORN, e.t), (), "display-off", "display-button")
            case Stage.RECORDING:
                return Step(touched, (PlayFeedback(Feedback.DENIED),), "denied-while-recording")
    # RECORD
    if state.record_down_at is not None:
        return Step(touched, (), "ignored-already-down")
    pressed = replace(touched, record_down_at=e.t, record_press_consumed=False)
    match state.stage:
        case Stage.WORN:
            due = e.t + config.hold_start_s
            return Step(pressed, (SetTimer(Timer.RECORD_HOLD, due),), "hold-pending")
        case Stage.DISPLAY:
            return _start_recording(config, pressed, e.t, REASON_ANNOUNCED, e.t)
        case Stage.RECORDING:
            due = e.t + _next_stop_milestone(config, 0.0)
            return Step(pressed, (SetTimer(Timer.RECORD_HOLD, due),), "stop-hold-pending")
    raise AssertionError(state.stage)


def _on_button_up(config: MachineConfig, state: DeviceState, e: ButtonUp) -> Step:
    if e.button is Button.DISPLAY:
        return Step(state, (), "ignored-display-release")
    if state.record_down_at is None:
        return Step(state, (), "ignored-release-without-press")
    released = replace(state, record_down_at=None)
    cancel = CancelTimer(Timer.RECORD_HOLD)
    if state.record_press_consumed:
        return Step(replace(released, record_press_consumed=False), (cancel,), "release-after-action")
    decided = _record_gesture(config, state, e.t, released=True)
    final = replace(decided.state, record_down_at=None, record_press_consumed=False)
    return replace(decided, state=final, actions=(cancel, *decided.actions))


def _on_timer(config: MachineConfig, state: DeviceState, e: TimerExpired) -> Step:
    match e.timer:
        case Timer.RECORD_HOLD:
            if state.record_down_at is None or state.record_press_consumed:
                return Step(state, (), "ignored-stale-timer")
            return _record_gesture(config, state, e.t, released=False)
        case Timer.REMINDER:
            if state.stage is not Stage.RECORDING:
                return Step(state, (), "ignored-stale-timer")
            actions = (
                PlayFeedback(Feedback.REMINDER),
                SetTimer(Timer.REMINDER, e.t + config.reminder_interval_s),
            )
            return Step(state, actions, "reminder")
        case Timer.DISPLAY_IDLE:
            idle = e.t - state.last_interaction
            timeout = config.display_idle_timeout_s
            if state.stage is not Stage.DISPLAY or timeout <= 0 or idle < timeout - _EPSILON:
                return Step(state, (), "ignored-stale-timer")
            return Step(_enter(state, Stage.WORN, e.t), (), "display-off", "idle-timeout")
        case Timer.DISPLAY_DIM:
            idle = e.t - state.last_interaction
            delay = config.display_dim_after_s
            if state.stage is not Stage.DISPLAY or delay <= 0 or idle < delay - _EPSILON or state.display_dimmed:
                return Step(state, (), "ignored-stale-timer")
            return Step(replace(state, display_dimmed=True), (SetDimmed(True),), "display-dimmed")
        case Timer.CAMERA_RETRY:
            camera_on, _, _ = _outputs(config, state)
            if not (state.camera_fault and camera_on):
                return Step(state, (), "ignored-stale-timer")
            return Step(state, (RetryCamera(), SetTimer(Timer.CAMERA_RETRY, e.t + config.camera_retry_s)),
                        "camera-retry")
    raise AssertionError(e.timer)


def _on_battery(config: MachineConfig, state: DeviceState, e: BatteryLevel) -> Step:
    s = replace(state, battery_percent=e.percent)
    if e.percent <= config.battery_critical_percent and not e.charging:
        actions: list[Action] = []
        if s.stage is Stage.RECORDING:
            s, actions = _stop_recording(s, e.t, "battery-critical", Stage.SHUTDOWN)
        else:
            s = _enter(s, Stage.SHUTDOWN, e.t)
        actions += [
            PlayFeedback(Feedback.LOW_BATTERY),
            ShowMessage(Message.BATTERY_CRITICAL),
            Audit("battery-critical", {"percent": e.percent}),
            PowerOff(),
        ]
        return Step(s, tuple(actions), "shutdown", "battery-critical")
    crossed = [w for w in config.battery_warn_percent if e.percent <= w]
    if crossed and not e.charging:
        level = min(crossed)
        if state.battery_warned_at is None or level < state.battery_warned_at:
            warning = (
                PlayFeedback(Feedback.LOW_BATTERY),
                ShowMessage(Message.BATTERY_LOW),
                Audit("battery-warning", {"percent": e.percent}),
            )
            return Step(replace(s, battery_warned_at=level), warning, "battery-warning")
        return Step(s, (), "battery-low-already-warned")
    if not crossed and state.battery_warned_at is not None:
        return Step(replace(s, battery_warned_at=None), (), "battery-recovered")
    return Step(s, (), "battery-ok")


def _on_storage(config: MachineConfig, state: DeviceState, e: StorageLevel) -> Step:
    full = e.free_bytes <= config.storage_reserve_bytes
    low = e.total_bytes > 0 and 100.0 * e.free_bytes / e.total_bytes < config.storage_warn_percent
    if full and not state.storage_full:
        s = replace(state, storage_full=True, storage_low_warned=True)
        actions: list[Action] = []
        outcome = "storage-full"
        if s.stage is Stage.RECORDING:
            s, actions = _stop_recording(s, e.t, "storage-full", Stage.DISPLAY)
            actions.append(PlayFeedback(Feedback.STOP))
            outcome = "recording-stopped"
        actions += [ShowMessage(Message.STORAGE_FULL), Audit("storage-full", {"free_bytes": e.free_bytes})]
        return Step(s, tuple(actions), outcome, "storage-full" if s.stage is not state.stage else None)
    if full:
        return Step(state, (), "storage-still-full")
    s = replace(state, storage_full=False)
    if low and not state.storage_low_warned:
        warning = (ShowMessage(Message.STORAGE_LOW), Audit("storage-low", {"free_bytes": e.free_bytes}))
        return Step(replace(s, storage_low_warned=True), warning, "storage-warning")
    if not low:
        s = replace(s, storage_low_warned=False)
    return Step(s, (), "storage-ok")


def _on_camera_fault(config: MachineConfig, state: DeviceState, e: CameraFault) -> Step:
    if state.camera_fault:
        return Step(state, (), "camera-fault-persists")
    actions = (
        ShowMessage(Message.CAMERA_FAULT),
        Audit("camera-fault", {"detail": e.detail}),
        SetTimer(Timer.CAMERA_RETRY, e.t + config.camera_retry_s),
    )
    return Step(replace(state, camera_fault=True), actions, "camera-fault")


def _on_camera_recovered(config: MachineConfig, state: DeviceState, e: CameraRecovered) -> Step:
    if not state.camera_fault:
        return Step(state, (), "ignored-camera-not-faulted")
    actions = (Audit("camera-recovered"), CancelTimer(Timer.CAMERA_RETRY))
    return Step(replace(state, camera_fault=False), actions, "camera-recovered")


def _on_recording_interrupted(config: MachineConfig, state: DeviceState, e: RecordingInterrupted) -> Step:
    """A crash must not end an evidence recording: carry on at once, without announcement."""
    if state.stage is Stage.RECORDING:
        return Step(state, (), "ignored-already-recording")
    return _start_recording(config, state, e.t, REASON_RESUMED, e.t)


def _on_offload_overdue(config: MachineConfig, state: DeviceState, e: OffloadOverdue) -> Step:
    """Warn once (display and tones) until the footage has been offloaded."""
    if not e.overdue:
        return Step(replace(state, offload_overdue_warned=False), (), "offload-up-to-date")
    if state.offload_overdue_warned:
        return Step(state, (), "offload-overdue-already-warned")
    actions = (ShowMessage(Message.OFFLOAD_OVERDUE), PlayFeedback(Feedback.LOW_BATTERY), Audit("offload-overdue"))
    return Step(replace(state, offload_overdue_warned=True), actions, "offload-overdue")


def _on_shutdown(config: MachineConfig, state: DeviceState, e: ShutdownRequested) -> Step:
    actions: list[Action] = []
    if state.stage is Stage.RECORDING:
        s, actions = _stop_recording(state, e.t, e.reason, Stage.SHUTDOWN)
    else:
        s = _enter(state, Stage.SHUTDOWN, e.t)
    if e.power_off:
        actions.append(PowerOff())
    return Step(s, tuple(actions), "shutdown", e.reason)


_HANDLERS: dict[type, Callable[[MachineConfig, DeviceState, Any], Step]] = {
    ButtonDown: _on_button_down,
    ButtonUp: _on_button_up,
    TimerExpired: _on_timer,
    BatteryLevel: _on_battery,
    StorageLevel: _on_storage,
    CameraFault: _on_camera_fault,
    CameraRecovered: _on_camera_recovered,
    RecordingInterrupted: _on_recording_interrupted,
    OffloadOverdue: _on_offload_overdue,
    ShutdownRequested: _on_shutdown,
}
