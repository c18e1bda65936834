"""Scripted shifts in virtual time: the design notes' table end to end, through real adapters."""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

import pytest

from firmware.config import override
from sim.headless import run_scenario
from sim.scenario import parse
from states import Stage
from tests.conftest import small_config

ROOT = Path(__file__).resolve().parent.parent


def run(text: str, config=None):
    """Run a scenario with its data dir in a fresh temporary folder, removed afterwards."""
    out = io.StringIO()
    with tempfile.TemporaryDirectory(prefix="bodycam-test-") as data_dir:
        config = override(config or small_config(), storage={"data_dir": data_dir})
        state, firmware, controls = run_scenario(parse(text), config, out)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    return state, firmware, controls, records


def transitions(records):
    return [(r["t"], r["from"], r["to"], r["reason"]) for r in records if r["type"] == "transition"]


def test_headless_example_shift_follows_the_button_table():
    state, _, controls, records = run((ROOT / "sim/scenarios/shift-basics.txt").read_text())
    assert transitions(records) == [
        (0.0, "worn", "display", "display-button"),
        (5.0, "display", "recording", "announced"),
        (68.0, "recording", "display", "stop-hold"),
        (70.0, "display", "worn", "display-button"),
        (80.0, "worn", "shutdown", "battery-critical"),
    ]
    assert state.stage is Stage.SHUTDOWN and controls.powered_off
    (recording,) = [r for r in records if r["type"] == "recording"]
    assert recording["markers"] == 1 and recording["reason"] == "announced" and recording["failed"] is None
    # pre-record reaches back to the display stage at t=0: 68 s of video
    assert 67 <= recording["keyframes"] <= 69 and recording["video_s"] == pytest.approx(67.9, abs=0.1)


def test_headless_imminent_danger_records_at_once_without_the_display_stage_but_says_so():
    _state, _, _, records = run((ROOT / "sim/scenarios/imminent-danger.txt").read_text())
    assert transitions(records) == [
        (4.5, "worn", "recording", "imminent-danger"),
        (33.0, "recording", "display", "stop-hold"),
        (40.0, "display", "worn", "display-button"),
        (45.0, "worn", "shutdown", "scenario-end"),
    ]
    assert not [r for r in records if r["type"] == "announce" and r["announcement"] == "display-on"]
    started = [r for r in records if r["type"] == "announce" and r["announcement"] == "recording-started"]
    assert started and started[0]["t"] == 4.5, "the person hears at once that the camera records"
    outcomes = [r["outcome"] for r in records if r["type"] == "decision"]
    assert "hint-no-recording" in outcomes and "denied-while-recording" in outcomes
    assert "stop-hold-aborted" in outcomes


def test_headless_guards_example_stops_on_full_storage_and_recovers_camera():
    _, _firmware, controls, records = run((ROOT / "sim/scenarios/guards.txt").read_text())
    assert (30.0, "recording", "display", "storage-full") in transitions(records)
    outcomes = [(r["t"], r["outcome"]) for r in records if r["type"] == "decision"]
    assert (35.0, "record-refused-storage-full") in outcomes
    assert (40.0, "camera-fault") in outcomes and (50.0, "camera-recovered") in outcomes
    warnings = [r["t"] for r in records if r.get("kind") == "battery-warning"]
    assert warnings == [60.0, 70.0]
    assert "feedback:low-battery" in [p.label for p in controls.audio.played]


def test_headless_camera_stays_off_in_worn_unless_prerecord_there():
    scenario = "0 press display\n5 press display\n60 end\n"
    _, _, controls, _ = run(scenario)
    assert controls.camera.frames_captured == pytest.approx(5 * 30, abs=1)
    config = small_config(prerecord={"stages": ["worn", "display"]})
    _, _, controls, _ = run(scenario, config)
    assert controls.camera.frames_captured == pytest.approx(60 * 30, abs=1)


def test_headless_recording_holds_prerecord_and_ends_at_the_stop():
    config = small_config(prerecord={"seconds": 5.0})
    _, _, _, records = run("0 press display\n10 press record\n20 hold record 3\n40 end\n", config)
    (recording,) = [r for r in records if r["type"] == "recording"]
    # from the newest keyframe at or before 5 s (press 10 s − 5 s pre-record) to the stop at 23 s
    assert 18.0 <= recording["video_s"] <= 19.0


def test_headless_display_idle_timeout_returns_to_worn():
    config = small_config(display={"idle_timeout_s": 30.0})
    _, _, _, records = run("0 press display\n20 press record\n22 hold record 3\n100 end\n", config)
    assert (55.0, "display", "worn", "idle-timeout") in transitions(records)


def test_headless_log_is_json_lines_with_time_and_type_and_deterministic():
    text = (ROOT / "sim/scenarios/shift-basics.txt").read_text()
    # Each run creates its own sim keys, so names derived from the device key differ; nothing else may.
    keyed = {"recording", "device_key_id", "agency_key_id"}
    first, second = ([{k: v for k, v in r.items() if k not in keyed} for r in run(text)[3]] for _ in range(2))
    assert first == second
    assert all({"t", "type"} <= set(r) for r in first)
    assert {r["type"] for r in first} >= {"start", "decision", "transition", "recording", "stopped"}


def test_headless_battery_drains_by_what_is_switched_on():
    # The drain depends on what is switched on, not on the frame rate; the microphone is not modelled.
    config = small_config(camera={"fps": 2}, audio={"microphone": False})
    _, _, worn, _ = run("600 end\n", config)
    _, _, shown, _ = run("0 press display\n600 end\n", config)
    worn_used = 100 - worn.battery.percent
    shown_used = 100 - shown.battery.percent
    assert worn_used == pytest.approx(100 * 0.60 * 600 / 3600 / 16.65, rel=0.01)  # 0.6 W of 16.65 Wh
    assert shown_used == pytest.approx(100 * 1.65 * 600 / 3600 / 16.65, rel=0.01)  # + camera + display


def test_headless_warns_once_when_footage_past_retention_waits_for_offload(tmp_path):
    old = tmp_path / "recordings" / "20251201T080000Z-0123abcd"  # five weeks before the simulated shift
    old.mkdir(parents=True)
    config = override(small_config(), storage={"data_dir": str(tmp_path)})
    out = io.StringIO()
    run_scenario(parse("3700 end\n"), config, out)  # in worn: the camera is off, an hour costs little
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    outcomes = [r["outcome"] for r in records if r.get("event") == "offload-overdue"]
    assert outcomes == ["offload-overdue", "offload-overdue-already-warned"]
    assert any(r["type"] == "audit" and r["kind"] == "offload-overdue" for r in records)


def test_headless_no_offload_warning_for_recent_footage(tmp_path):
    (tmp_path / "recordings" / "20260104T080000Z-0123abcd").mkdir(parents=True)  # the day before
    config = override(small_config(), storage={"data_dir": str(tmp_path)})
    out = io.StringIO()
    run_scenario(parse("5 end\n"), config, out)
    outcomes = [json.loads(line).get("outcome") for line in out.getvalue().splitlines()]
    assert "offload-up-to-date" in outcomes and "offload-overdue" not in outcomes
