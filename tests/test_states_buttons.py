"""The button table from the design notes, row by row, plus the gestures around it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from states import MachineConfig, Stage, initial_state, step
from states.actions import (
    AddMarker,
    Announce,
    Announcement,
    Audit,
    CancelTimer,
    Feedback,
    PlayFeedback,
    SetCamera,
    SetDisplay,
    SetTimer,
    StartRecording,
    StopRecording,
)
from states.events import ButtonDown, ButtonUp, TimerExpired
from states.model import Button, DeviceState, Timer

CONFIG = MachineConfig()
D, R = Button.DISPLAY, Button.RECORD


def in_stage(stage: Stage, t: float = 0.0) -> DeviceState:
    state = replace(initial_state(t), stage=stage)
    if stage is Stage.RECORDING:
        state = replace(state, recording_started_at=t, recording_reason="announced")
    return state


def drive(state: DeviceState, *events, config: MachineConfig = CONFIG):
    """Feed events, firing any RECORD_HOLD timer the machine sets before the next event's time."""
    steps = []
    pending: dict[Timer, float] = {}
    for event in events:
        while pending and min(pending.values()) <= event.t:
            timer, due = min(pending.items(), key=lambda kv: kv[1])
            del pending[timer]
            steps.append(step(config, state, TimerExpired(due, timer)))
            state = steps[-1].state
            _track(pending, steps[-1].actions)
            assert pending.get(timer, due + 1) > due, f"{timer} re-armed for {pending[timer]} when firing at {due}"
        steps.append(step(config, state, event))
        state = steps[-1].state
        _track(pending, steps[-1].actions)
    return state, steps


def _track(pending: dict[Timer, float], actions) -> None:
    for a in actions:
        if isinstance(a, SetTimer) and a.timer is Timer.RECORD_HOLD:
            pending[a.timer] = a.due
        if isinstance(a, CancelTimer):
            pending.pop(a.timer, None)


def press(button: Button, t: float, held: float = 0.2):
    return ButtonDown(t, button), ButtonUp(t + held, button)


def all_actions(steps):
    return [a for s in steps for a in s.actions]


# (stage, button, held seconds) -> (stage after, recording reason or None, outcome that must occur)
BUTTON_TABLE = [
    (Stage.WORN, D, 0.2, Stage.DISPLAY, None, "display-on"),
    (Stage.WORN, R, 0.2, Stage.WORN, None, "hint-no-recording"),
    (Stage.WORN, R, 1.5, Stage.RECORDING, "imminent-danger", "recording-started"),
    (Stage.WORN, R, 3.0, Stage.RECORDING, "imminent-danger", "recording-started"),
    (Stage.DISPLAY, D, 0.2, Stage.WORN, None, "display-off"),
    (Stage.DISPLAY, R, 0.2, Stage.RECORDING, "announced", "recording-started"),
    (Stage.DISPLAY, R, 1.5, Stage.RECORDING, "announced", "recording-started"),
    (Stage.DISPLAY, R, 3.0, Stage.RECORDING, "announced", "recording-started"),
    (Stage.RECORDING, D, 0.2, Stage.RECORDING, None, "denied-while-recording"),
    (Stage.RECORDING, R, 0.2, Stage.RECORDING, None, "marker"),
    (Stage.RECORDING, R, 1.5, Stage.RECORDING, None, "stop-hold-aborted"),
    (Stage.RECORDING, R, 3.0, Stage.DISPLAY, None, "recording-stopped"),
]


@pytest.mark.parametrize(("stage", "button", "held", "after", "reason", "outcome"), BUTTON_TABLE)
def test_button_table_row(stage, button, held, after, reason, outcome):
    state, steps = drive(in_stage(stage), *press(button, 10.0, held))
    assert state.stage is after
    assert outcome in [s.outcome for s in steps]
    starts = [a for a in all_actions(steps) if isinstance(a, StartRecording)]
    assert [a.reason for a in starts] == ([reason] if reason and stage is not Stage.RECORDING else [])


def test_record_short_press_in_worn_vibrates_once_and_never_records():
    state, steps = drive(in_stage(Stage.WORN), *press(R, 5.0, 1.49))
    actions = all_actions(steps)
    assert state.stage is Stage.WORN
    assert [a for a in actions if isinstance(a, PlayFeedback)] == [PlayFeedback(Feedback.HINT)]
    assert not any(isinstance(a, (StartRecording, SetCamera)) for a in actions)


def test_record_hold_in_worn_starts_at_threshold_while_still_held():
    state, steps = drive(in_stage(Stage.WORN), ButtonDown(5.0, R), ButtonUp(20.0, R))
    start = next(s for s in steps if s.outcome == "recording-started")
    assert start.state.since == pytest.approx(6.5)
    assert StartRecording("imminent-danger", 5.0) in start.actions
    assert state.stage is Stage.RECORDING  # the long hold does not also stop it


def test_imminent_danger_recording_skips_display_announcement_but_turns_display_on():
    _, steps = drive(in_stage(Stage.WORN), *press(R, 0.0, 2.0))
    actions = all_actions(steps)
    assert Announce(Announcement.DISPLAY_ON) not in actions
    assert SetDisplay(True) in actions and SetCamera(True) in actions
    assert actions.index(SetCamera(True)) < next(i for i, a in enumerate(actions) if isinstance(a, StartRecording))


def test_record_in_display_starts_on_press_not_release():
    state, steps = drive(in_stage(Stage.DISPLAY), ButtonDown(3.0, R))
    assert state.stage is Stage.RECORDING
    assert StartRecording("announced", 3.0) in steps[0].actions
    assert PlayFeedback(Feedback.START) in steps[0].actions
    assert Announce(Announcement.RECORDING_STARTED) in steps[0].actions


def test_holding_the_press_that_started_recording_does_not_stop_it():
    state, steps = drive(in_stage(Stage.DISPLAY), ButtonDown(0.0, R), ButtonUp(10.0, R))
    assert state.stage is Stage.RECORDING
    assert not any(isinstance(a, (StopRecording, AddMarker)) for a in all_actions(steps))


def test_stop_hold_gives_haptic_ticks_each_second_then_stops_at_three_seconds():
    state, steps = drive(in_stage(Stage.RECORDING), ButtonDown(100.0, R), ButtonUp(104.0, R))
    ticks = [s for s in steps if s.outcome == "hold-tick"]
    assert [s.state.record_down_at for s in ticks] == [100.0, 100.0]
    stop = next(s for s in steps if s.outcome == "recording-stopped")
    assert stop.state.since == pytest.approx(103.0)
    assert StopRecording("stop-hold") in stop.actions
    assert PlayFeedback(Feedback.STOP) in stop.actions
    assert state.stage is Stage.DISPLAY


def test_stop_hold_released_early_keeps_recording_and_sets_no_marker():
    state, steps = drive(in_stage(Stage.RECORDING), *press(R, 50.0, 2.9))
    assert state.stage is Stage.RECORDING
    assert not any(isinstance(a, (StopRecording, AddMarker)) for a in all_actions(steps))


def test_short_record_press_while_recording_sets_marker_at_press_time():
    _, steps = drive(in_stage(Stage.RECORDING), *press(R, 42.0, 0.3))
    assert AddMarker(42.0) in all_actions(steps)


def test_release_decides_even_when_hold_timer_was_not_processed_yet():
    # A busy loop may see the release before the timer; the release's own timestamp decides.
    state = step(CONFIG, in_stage(Stage.RECORDING), ButtonDown(0.0, R)).state
    after = step(CONFIG, state, ButtonUp(3.2, R))
    assert after.outcome == "recording-stopped"
    late_timer = step(CONFIG, after.state, TimerExpired(3.0, Timer.RECORD_HOLD))
    assert late_timer.outcome == "ignored-stale-timer"


def test_display_button_while_recording_vibrates_no_and_recording_stays_visible():
    state, steps = drive(in_stage(Stage.RECORDING), *press(D, 1.0))
    assert state.stage is Stage.RECORDING
    assert PlayFeedback(Feedback.DENIED) in all_actions(steps)
    assert SetDisplay(False) not in all_actions(steps)


def test_display_stage_announces_and_powers_camera_and_display():
    _, steps = drive(in_stage(Stage.WORN), ButtonDown(0.0, D))
    assert steps[0].actions[:2] == (SetCamera(True), SetDisplay(True))
    assert Announce(Announcement.DISPLAY_ON) in steps[0].actions


def test_announcements_can_be_switched_off():
    quiet = MachineConfig(announce_display=False, announce_recording_start=False, announce_recording_stop=False)
    _, steps = drive(in_stage(Stage.WORN), *press(D, 0.0), *press(R, 1.0), *press(R, 5.0, 3.5), config=quiet)
    assert not any(isinstance(a, Announce) for a in all_actions(steps))


def test_back_to_worn_powers_camera_off_unless_prerecord_in_worn():
    _, steps = drive(in_stage(Stage.DISPLAY), ButtonDown(0.0, D))
    assert SetCamera(False) in steps[0].actions
    keep = MachineConfig(camera_in_worn=True)
    _, steps = drive(in_stage(Stage.DISPLAY), ButtonDown(0.0, D), config=keep)
    assert not any(isinstance(a, SetCamera) for a in steps[0].actions)


def test_hold_thresholds_come_from_config():
    quick = MachineConfig(hold_start_s=0.5, hold_stop_s=1.0, hold_tick_s=0.5)
    state, _ = drive(in_stage(Stage.WORN), *press(R, 0.0, 0.6), config=quick)
    assert state.stage is Stage.RECORDING
    state, _ = drive(state, *press(R, 5.0, 1.0), config=quick)
    assert state.stage is Stage.DISPLAY


def test_a_record_hold_begun_in_worn_that_outlasts_a_display_press_records_as_announced():
    """RECORD held, DISPLAY pressed meanwhile: the display and its announcement come first, and the hold,
    still running, starts the recording at 1.5 s: announced, because the person was told."""
    state, steps = drive(in_stage(Stage.WORN), ButtonDown(0.0, Button.RECORD), ButtonDown(0.5, Button.DISPLAY),
                         ButtonUp(0.7, Button.DISPLAY), ButtonUp(3.0, Button.RECORD))
    assert [s.outcome for s in steps] == ["hold-pending", "display-on", "ignored-display-release",
                                         "recording-started", "release-after-action"]
    assert state.stage is Stage.RECORDING and state.recording_reason == "announced"
    assert state.recording_started_at == 1.5


def test_the_hint_is_audited_with_how_long_the_button_was_held_to_the_millisecond():
    _, steps = drive(in_stage(Stage.WORN), ButtonDown(5.0, R), ButtonUp(5.12345, R))
    assert Audit("record-hint", {"held_s": 0.123}) in all_actions(steps)


def test_an_aborted_stop_hold_is_audited_with_how_long_it_was_held():
    recording = in_stage(Stage.RECORDING)
    _, steps = drive(recording, ButtonDown(5.0, R), ButtonUp(7.23456, R))
    assert Audit("stop-hold-aborted", {"held_s": 2.235}) in all_actions(steps)


def test_a_second_record_press_without_a_release_between_is_ignored():
    """A lost release edge: the hold counts from the first press and still starts the recording."""
    down = step(CONFIG, in_stage(Stage.WORN), ButtonDown(0.0, R))
    again = step(CONFIG, down.state, ButtonDown(1.0, R))
    assert again.outcome == "ignored-already-down" and again.actions == ()
    started = step(CONFIG, again.state, TimerExpired(1.5, Timer.RECORD_HOLD))
    assert started.outcome == "recording-started" and StartRecording("imminent-danger", 0.0) in started.actions


@pytest.mark.parametrize("display_pressed", [False, True], ids=["worn", "display-pressed-meanwhile"])
def test_a_hold_timer_left_from_an_earlier_press_rearms_for_the_current_one(display_pressed):
    """Press, release, press again within 1.5 s: the first press's timer fires early for the second."""
    events = [ButtonDown(0.0, R), ButtonUp(0.2, R), ButtonDown(1.0, R)]
    if display_pressed:
        events.append(ButtonDown(1.2, D))
    state = in_stage(Stage.WORN)
    for event in events:
        state = step(CONFIG, state, event).state
    early = step(CONFIG, state, TimerExpired(1.5, Timer.RECORD_HOLD))
    assert early.outcome == "hold-pending" and early.actions == (SetTimer(Timer.RECORD_HOLD, 2.5),)
    assert early.state.stage is not Stage.RECORDING
