"""Every (stage, event) pair has an explicit, named outcome, and the machine stays pure."""

from __future__ import annotations

import ast
import dataclasses
import itertools
from dataclasses import replace
from pathlib import Path

import pytest

from states import MachineConfig, Stage, initial_state, step
from states.events import (
    EVENT_TYPES,
    BatteryLevel,
    ButtonDown,
    ButtonUp,
    CameraFault,
    CameraRecovered,
    OffloadOverdue,
    RecordingInterrupted,
    ShutdownRequested,
    StorageLevel,
    TimerExpired,
)
from states.machine import UnhandledEvent
from states.model import Button, Timer

ROOT = Path(__file__).resolve().parent.parent

EXAMPLES = [
    *(ButtonDown(10.0, b) for b in Button),
    *(ButtonUp(10.0, b) for b in Button),
    *(TimerExpired(10.0, timer) for timer in Timer),
    BatteryLevel(10.0, 50.0),
    BatteryLevel(10.0, 15.0),
    BatteryLevel(10.0, 3.0),
    BatteryLevel(10.0, 3.0, charging=True),
    StorageLevel(10.0, 0, 1 << 30),
    StorageLevel(10.0, 1 << 29, 1 << 30),
    CameraFault(10.0, "test"),
    CameraRecovered(10.0),
    RecordingInterrupted(10.0),
    OffloadOverdue(10.0, True),
    OffloadOverdue(10.0, False),
    ShutdownRequested(10.0, "test"),
    ShutdownRequested(10.0, "test", power_off=True),
]

# Variants of each stage: the RECORD button up or held, faults and full storage set or not.
VARIANTS = [
    {},
    {"record_down_at": 9.0},
    {"record_down_at": 7.0, "record_press_consumed": True},
    {"camera_fault": True},
    {"storage_full": True, "storage_low_warned": True},
    {"battery_warned_at": 20.0, "battery_percent": 18.0},
    {"display_dimmed": True},
]


def test_examples_cover_every_event_type():
    assert {type(e) for e in EXAMPLES} == set(EVENT_TYPES)


@pytest.mark.parametrize(
    "config", [MachineConfig(), MachineConfig(display_idle_timeout_s=5, display_dim_after_s=3, camera_in_worn=True)]
)
def test_every_stage_event_pair_has_a_named_outcome(config):
    seen: dict[tuple[Stage, str], set[str]] = {}
    for stage, variant, event in itertools.product(Stage, VARIANTS, EXAMPLES):
        state = replace(initial_state(0.0), stage=stage, **variant)
        if stage is Stage.RECORDING:
            state = replace(state, recording_started_at=1.0, recording_reason="announced")
        result = step(config, state, event)
        assert result.outcome and result.outcome.replace("-", "").isalpha(), (stage, event)
        assert (result.reason is not None) == (result.state.stage is not stage), (stage, event, result)
        if result.state.record_down_at is None:  # one situation, one state: "consumed" belongs to a press
            assert not result.state.record_press_consumed, (stage, variant, event, result)
        seen.setdefault((stage, type(event).__name__), set()).add(result.outcome)
    assert len(seen) == len(Stage) * len(EVENT_TYPES)


def test_a_decision_cannot_be_changed_after_it_was_made():
    decided = step(MachineConfig(), initial_state(0.0), ButtonDown(1.0, Button.DISPLAY))
    for target, name in ((decided, "actions"), (decided.state, "stage")):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(target, name, None)


def test_unknown_event_type_is_an_error_not_a_silent_no_op():
    with pytest.raises(UnhandledEvent):
        step(MachineConfig(), initial_state(0.0), object())


def _imports(package: str) -> set[str]:
    names: set[str] = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module.split(".")[0])
    return names


def test_states_package_does_no_io_and_reads_no_clock():
    """Of the standard library only what does no I/O; of ours only itself and the root error (import-linter's
    layers keep it from the rest, see make lint)."""
    allowed = {"__future__", "collections", "dataclasses", "enum", "math", "states", "typing", "bodycam"}
    assert _imports("states") <= allowed

