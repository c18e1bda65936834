"""Timers and guards: reminder, idle timeout, battery, storage, camera fault, shutdown."""

from __future__ import annotations

from dataclasses import replace

from states import MachineConfig, Stage, step
from states.actions import (
    Audit,
    CancelTimer,
    Feedback,
    Led,
    Message,
    PlayFeedback,
    PowerOff,
    RetryCamera,
    SetDimmed,
    SetDisplay,
    SetLeds,
    SetTimer,
    ShowMessage,
    StartRecording,
    StopRecording,
)
from states.events import (
    BatteryLevel,
    ButtonDown,
    ButtonUp,
    CameraFault,
    CameraRecovered,
    OffloadOverdue,
    ShutdownRequested,
    StorageLevel,
    TimerExpired,
)
from states.model import Button, Timer
from tests.test_states_buttons import CONFIG, in_stage

GB = 1024**3


def test_reminder_vibrates_every_two_minutes_while_recording():
    started = step(CONFIG, in_stage(Stage.DISPLAY), ButtonDown(10.0, Button.RECORD))
    assert SetTimer(Timer.REMINDER, 130.0) in started.actions
    reminded = step(CONFIG, started.state, TimerExpired(130.0, Timer.REMINDER))
    assert reminded.outcome == "reminder"
    assert reminded.actions == (PlayFeedback(Feedback.REMINDER), SetTimer(Timer.REMINDER, 250.0))


def test_reminder_after_stop_is_stale():
    assert step(CONFIG, in_stage(Stage.DISPLAY), TimerExpired(1.0, Timer.REMINDER)).outcome == "ignored-stale-timer"


def test_display_idle_timeout_is_off_by_default():
    entered = step(CONFIG, in_stage(Stage.WORN), ButtonDown(0.0, Button.DISPLAY))
    assert not any(isinstance(a, SetTimer) for a in entered.actions)
    idle = step(CONFIG, entered.state, TimerExpired(1e6, Timer.DISPLAY_IDLE))
    assert idle.outcome == "ignored-stale-timer"


def test_display_idle_timeout_returns_to_worn_and_presses_rearm_it():
    config = MachineConfig(display_idle_timeout_s=30.0)
    entered = step(config, in_stage(Stage.WORN), ButtonDown(0.0, Button.DISPLAY))
    assert SetTimer(Timer.DISPLAY_IDLE, 30.0) in entered.actions
    # A RECORD release (hint) later on does not count; a new press does.
    state = entered.state
    early = step(config, state, TimerExpired(20.0, Timer.DISPLAY_IDLE))
    assert early.outcome == "ignored-stale-timer"
    timeout = step(config, state, TimerExpired(30.0, Timer.DISPLAY_IDLE))
    assert timeout.state.stage is Stage.WORN and timeout.reason == "idle-timeout"


def test_recording_cancels_idle_timer_and_stop_rearms_it():
    config = MachineConfig(display_idle_timeout_s=30.0)
    started = step(config, in_stage(Stage.DISPLAY), ButtonDown(5.0, Button.RECORD))
    assert CancelTimer(Timer.DISPLAY_IDLE) in started.actions


def test_battery_warnings_at_20_and_10_percent_once_each():
    s = in_stage(Stage.DISPLAY)
    outcomes = []
    for t, pct in enumerate([50, 20, 19, 15, 10, 9]):
        result = step(CONFIG, s, BatteryLevel(float(t), pct))
        outcomes.append(result.outcome)
        s = result.state
    assert outcomes == [
        "battery-ok",
        "battery-warning",
        "battery-low-already-warned",
        "battery-low-already-warned",
        "battery-warning",
        "battery-low-already-warned",
    ]


def test_battery_warning_plays_four_tone_pattern_and_shows_message():
    result = step(CONFIG, in_stage(Stage.WORN), BatteryLevel(0.0, 19.0))
    assert PlayFeedback(Feedback.LOW_BATTERY) in result.actions
    assert ShowMessage(Message.BATTERY_LOW) in result.actions


def test_battery_critical_while_recording_stops_finalises_then_powers_off():
    result = step(CONFIG, in_stage(Stage.RECORDING), BatteryLevel(7.0, 4.0))
    assert result.state.stage is Stage.SHUTDOWN
    kinds = [type(a) for a in result.actions]
    assert kinds.index(StopRecording) < kinds.index(PowerOff)
    assert StopRecording("battery-critical") in result.actions
    assert result.reason == "battery-critical"


def test_battery_critical_while_charging_does_not_shut_down():
    result = step(CONFIG, in_stage(Stage.WORN), BatteryLevel(0.0, 4.0, charging=True))
    assert result.state.stage is Stage.WORN


def test_storage_full_stops_recording_cleanly_and_refuses_new_recordings():
    full = step(CONFIG, in_stage(Stage.RECORDING), StorageLevel(1.0, 10, 32 * GB))
    assert full.state.stage is Stage.DISPLAY
    assert StopRecording("storage-full") in full.actions
    assert ShowMessage(Message.STORAGE_FULL) in full.actions
    refused = step(CONFIG, full.state, ButtonDown(2.0, Button.RECORD))
    assert refused.outcome == "record-refused-storage-full"
    assert not any(isinstance(a, StartRecording) for a in refused.actions)
    freed = step(CONFIG, refused.state, StorageLevel(3.0, 8 * GB, 32 * GB))
    assert not freed.state.storage_full


def test_storage_low_warns_once():
    s = in_stage(Stage.WORN)
    first = step(CONFIG, s, StorageLevel(0.0, 2 * GB, 32 * GB))
    again = step(CONFIG, first.state, StorageLevel(1.0, 2 * GB, 32 * GB))
    assert first.outcome == "storage-warning" and again.outcome == "storage-ok"


def test_camera_fault_indicates_retries_and_audits_until_recovered():
    fault = step(CONFIG, in_stage(Stage.RECORDING), CameraFault(10.0, "timeout"))
    assert fault.state.stage is Stage.RECORDING  # the recording (and its audio) carries on
    assert SetLeds(Led.RECORDING, fault=True) in fault.actions
    assert Audit("camera-fault", {"detail": "timeout"}) in fault.actions
    retry = step(CONFIG, fault.state, TimerExpired(15.0, Timer.CAMERA_RETRY))
    assert retry.actions == (RetryCamera(), SetTimer(Timer.CAMERA_RETRY, 20.0))
    ok = step(CONFIG, retry.state, CameraRecovered(17.0))
    assert ok.outcome == "camera-recovered" and not ok.state.camera_fault
    assert CancelTimer(Timer.CAMERA_RETRY) in ok.actions


def test_camera_retry_stops_when_camera_is_no_longer_needed():
    fault = step(CONFIG, in_stage(Stage.DISPLAY), CameraFault(0.0, "gone"))
    worn = step(CONFIG, fault.state, ButtonDown(1.0, Button.DISPLAY)).state
    assert step(CONFIG, worn, TimerExpired(5.0, Timer.CAMERA_RETRY)).outcome == "ignored-stale-timer"


def test_shutdown_request_while_recording_finalises_first():
    result = step(CONFIG, in_stage(Stage.RECORDING), ShutdownRequested(3.0, "sigterm"))
    assert result.state.stage is Stage.SHUTDOWN
    assert StopRecording("sigterm") in result.actions
    assert PowerOff() not in result.actions


def test_after_shutdown_everything_is_ignored():
    down = step(CONFIG, in_stage(Stage.WORN), ShutdownRequested(0.0, "sigterm")).state
    assert step(CONFIG, down, ButtonDown(1.0, Button.RECORD)).outcome == "ignored-after-shutdown"


def test_display_dims_after_inactivity_and_any_press_brightens_it():
    config = MachineConfig(display_dim_after_s=20.0)
    entered = step(config, in_stage(Stage.WORN), ButtonDown(0.0, Button.DISPLAY))
    assert SetTimer(Timer.DISPLAY_DIM, 20.0) in entered.actions
    dimmed = step(config, entered.state, TimerExpired(20.0, Timer.DISPLAY_DIM))
    assert dimmed.actions == (SetDimmed(True),) and dimmed.state.display_dimmed
    pressed = step(config, dimmed.state, ButtonDown(25.0, Button.RECORD))
    assert SetDimmed(False) in pressed.actions and not pressed.state.display_dimmed
    assert pressed.state.stage is Stage.RECORDING  # the press still does what it always does


def test_display_dimming_is_off_by_default_and_stale_when_not_in_display():
    assert step(CONFIG, in_stage(Stage.DISPLAY), TimerExpired(99.0, Timer.DISPLAY_DIM)).outcome == "ignored-stale-timer"
    config = MachineConfig(display_dim_after_s=20.0)
    assert step(config, in_stage(Stage.RECORDING), TimerExpired(99.0, Timer.DISPLAY_DIM)).outcome == \
        "ignored-stale-timer"


def test_recording_interrupted_by_a_crash_resumes_at_once_without_announcement():
    from states.actions import Announce
    from states.events import RecordingInterrupted

    resumed = step(CONFIG, in_stage(Stage.WORN), RecordingInterrupted(0.5))
    assert resumed.state.stage is Stage.RECORDING and resumed.reason == "resumed-after-restart"
    assert StartRecording("resumed-after-restart", 0.5) in resumed.actions
    assert not any(isinstance(a, Announce) and a.announcement.value == "display-on" for a in resumed.actions)


def test_storage_of_unknown_size_is_neither_low_nor_a_crash():
    s = in_stage(Stage.RECORDING)
    unknown = step(CONFIG, s, StorageLevel(1.0, 8 * GB, 0))  # a card that reports no size
    assert unknown.outcome == "storage-ok" and not unknown.state.storage_low_warned


def test_the_low_storage_warning_rearms_once_space_was_freed():
    s = in_stage(Stage.RECORDING)
    first = step(CONFIG, s, StorageLevel(0.0, 2 * GB, 32 * GB))
    freed = step(CONFIG, first.state, StorageLevel(1.0, 16 * GB, 32 * GB))
    low_again = step(CONFIG, freed.state, StorageLevel(2.0, 2 * GB, 32 * GB))
    assert (first.outcome, freed.outcome, low_again.outcome) == ("storage-warning", "storage-ok", "storage-warning")


def test_leaving_the_display_stage_switches_the_display_off():
    left = step(CONFIG, in_stage(Stage.DISPLAY), ButtonDown(1.0, Button.DISPLAY))
    assert left.state.stage is Stage.WORN and SetDisplay(False) in left.actions
    assert SetDisplay(True) not in left.actions


def test_a_dimmed_display_is_bright_again_when_the_idle_timeout_leaves_the_stage():
    config = MachineConfig(display_dim_after_s=20.0, display_idle_timeout_s=30.0)
    entered = step(config, in_stage(Stage.WORN), ButtonDown(0.0, Button.DISPLAY))
    dimmed = step(config, entered.state, TimerExpired(20.0, Timer.DISPLAY_DIM))
    left = step(config, dimmed.state, TimerExpired(30.0, Timer.DISPLAY_IDLE))
    assert left.state.stage is Stage.WORN and not left.state.display_dimmed
    assert SetDimmed(False) in left.actions  # the next time the display comes on, it is bright


def test_a_display_timeout_of_one_second_is_honoured():
    config = MachineConfig(display_dim_after_s=1.0, display_idle_timeout_s=1.0)
    entered = step(config, in_stage(Stage.WORN), ButtonDown(0.0, Button.DISPLAY))
    assert {SetTimer(Timer.DISPLAY_DIM, 1.0), SetTimer(Timer.DISPLAY_IDLE, 1.0)} <= set(entered.actions)
    assert step(config, entered.state, TimerExpired(1.0, Timer.DISPLAY_DIM)).state.display_dimmed
    assert step(config, entered.state, TimerExpired(1.0, Timer.DISPLAY_IDLE)).state.stage is Stage.WORN


def test_stopping_a_recording_rearms_the_display_timers():
    config = MachineConfig(display_idle_timeout_s=30.0, display_dim_after_s=20.0)
    recording = in_stage(Stage.RECORDING, t=5.0)
    stopped = step(config, replace(recording, record_down_at=10.0), TimerExpired(13.0, Timer.RECORD_HOLD))
    assert stopped.state.stage is Stage.DISPLAY
    assert {SetTimer(Timer.DISPLAY_IDLE, 43.0), SetTimer(Timer.DISPLAY_DIM, 33.0)} <= set(stopped.actions)


def test_an_idle_or_dim_timer_set_before_the_last_press_is_stale():
    config = MachineConfig(display_idle_timeout_s=30.0, display_dim_after_s=20.0)
    entered = step(config, in_stage(Stage.WORN), ButtonDown(0.0, Button.DISPLAY))
    touched = step(config, entered.state, ButtonUp(10.0, Button.DISPLAY))
    touched = step(config, touched.state, ButtonDown(10.0, Button.RECORD))  # starts a recording...
    touched = step(config, touched.state, StorageLevel(10.5, 0, 32 * GB))  # ...that storage stops at once
    assert touched.state.stage is Stage.DISPLAY and touched.state.last_interaction == 10.0
    # Timers armed at 0 s fire at 20 s and 30 s, but the last press was at 10 s.
    assert step(config, touched.state, TimerExpired(20.0, Timer.DISPLAY_DIM)).outcome == "ignored-stale-timer"
    assert step(config, touched.state, TimerExpired(30.0, Timer.DISPLAY_IDLE)).outcome == "ignored-stale-timer"


def test_a_refused_record_press_is_refused_once_not_again_at_its_release():
    full = replace(in_stage(Stage.DISPLAY), storage_full=True)
    down = step(CONFIG, full, ButtonDown(1.0, Button.RECORD))
    up = step(CONFIG, down.state, ButtonUp(1.2, Button.RECORD))
    denied = [a for s in (down, up) for a in s.actions if a == PlayFeedback(Feedback.DENIED)]
    assert len(denied) == 1 and up.outcome == "release-after-action"


def test_the_battery_warning_rearms_after_charging():
    warned = step(CONFIG, in_stage(Stage.WORN), BatteryLevel(0.0, 20.0))
    charged = step(CONFIG, warned.state, BatteryLevel(1.0, 80.0))
    again = step(CONFIG, charged.state, BatteryLevel(2.0, 20.0))
    assert (warned.outcome, charged.outcome, again.outcome) == ("battery-warning", "battery-recovered",
                                                                  "battery-warning")
    assert charged.state.battery_warned_at is None


def test_full_storage_stays_full_and_is_announced_once():
    full = step(CONFIG, in_stage(Stage.DISPLAY), StorageLevel(0.0, 10, 32 * GB))
    still = step(CONFIG, full.state, StorageLevel(1.0, 10, 32 * GB))
    assert still.outcome == "storage-still-full" and still.actions == () and still.state.storage_full


def test_freeing_a_little_after_full_storage_does_not_warn_low_on_top():
    full = step(CONFIG, in_stage(Stage.DISPLAY), StorageLevel(0.0, 10, 32 * GB))
    little = step(CONFIG, full.state, StorageLevel(1.0, 1 * GB, 32 * GB))  # above the reserve, still low
    assert not little.state.storage_full and little.outcome == "storage-ok" and little.actions == ()


def test_a_second_camera_fault_neither_audits_again_nor_moves_the_retry():
    fault = step(CONFIG, in_stage(Stage.DISPLAY), CameraFault(10.0, "timeout"))
    assert SetTimer(Timer.CAMERA_RETRY, 15.0) in fault.actions
    again = step(CONFIG, fault.state, CameraFault(12.0, "timeout"))
    assert again.outcome == "camera-fault-persists" and again.actions == ()


def test_a_recovery_without_a_fault_changes_nothing():
    recovered = step(CONFIG, in_stage(Stage.DISPLAY), CameraRecovered(1.0))
    assert recovered.outcome == "ignored-camera-not-faulted" and recovered.actions == ()


def test_overdue_offload_warns_once_until_offloaded_then_again():
    overdue = step(CONFIG, in_stage(Stage.WORN), OffloadOverdue(0.0, True))
    assert ShowMessage(Message.OFFLOAD_OVERDUE) in overdue.actions and Audit("offload-overdue") in overdue.actions
    again = step(CONFIG, overdue.state, OffloadOverdue(60.0, True))
    assert again.outcome == "offload-overdue-already-warned" and again.actions == ()
    offloaded = step(CONFIG, again.state, OffloadOverdue(120.0, False))
    assert offloaded.outcome == "offload-up-to-date" and not offloaded.state.offload_overdue_warned
    assert step(CONFIG, offloaded.state, OffloadOverdue(180.0, True)).outcome == "offload-overdue"
