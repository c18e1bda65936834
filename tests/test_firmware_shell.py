"""The imperative shell: actions become hardware effects; the preview shows each stage."""

from __future__ import annotations

import io
import json
import time

import numpy as np
import pytest

from firmware.app import Firmware
from firmware.config import override
from firmware.feedback import PATTERNS, SAMPLE_RATE, synthesize
from firmware.log import JsonLog
from sim.clock import VirtualClock
from sim.hardware import build_sim_hardware, sim_keys
from sim.inbox import VirtualInbox
from states.actions import Announce, Announcement, Feedback, Led, PlayFeedback, SetLeds, ShowMessage
from states.actions import Message as Msg


@pytest.fixture
def shell(config):
    clock = VirtualClock()
    hardware, controls = build_sim_hardware(config, clock)
    out = io.StringIO()
    firmware = Firmware(config, hardware, VirtualInbox(clock), JsonLog(out, clock), sim_keys(config))
    yield firmware, controls, out
    firmware.recorder.close()
    hardware.close()


def test_shell_start_feedback_plays_two_tones_and_vibrates_twice(shell):
    firmware, controls, _ = shell
    firmware.executor.run(PlayFeedback(Feedback.START), 0.0)
    assert [p.label for p in controls.audio.played] == ["feedback:start"]
    assert PATTERNS[Feedback.START].vibration[2] == 2
    assert sum(1 for f, _ in PATTERNS[Feedback.START].tones if f > 0) == 2


def test_shell_low_battery_is_four_tones_and_stop_one_long_tone():
    assert sum(1 for f, _ in PATTERNS[Feedback.LOW_BATTERY].tones if f > 0) == 4
    (stop,) = PATTERNS[Feedback.STOP].tones
    assert stop[1] >= 0.5


def test_shell_announcement_is_logged_with_its_german_text(shell):
    firmware, controls, out = shell
    firmware.executor.run(Announce(Announcement.DISPLAY_ON), 1.0)
    record = json.loads(out.getvalue().splitlines()[-1])
    assert record["text"].startswith("Achtung: Diese Kamera ist eingeschaltet.")
    assert controls.audio.played[-1].label == "announce:display-on"


def test_shell_leds_show_the_stage_and_blink_ready_on_fault(shell):
    firmware, controls, _ = shell
    firmware.executor.run(SetLeds(Led.RECORDING, fault=False), 0.0)
    lit = {name: controls.indicators.led_is_lit(name) for name in ("ready", "green", "red")}
    assert lit == {"ready": False, "green": False, "red": True}
    ready_pin = controls.factory.pin(controls.config.indicators.ready_led_pin)
    ready_pin.clear_states()
    firmware.executor.run(SetLeds(Led.RECORDING, fault=True), 0.0)
    assert controls.indicators.led_is_lit("red")
    deadline = time.monotonic() + 3
    while len(ready_pin.states) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [s.state for s in ready_pin.states[:4]] == [False, True, False, True], "ready LED blinks"


def test_synthesized_tones_have_the_pattern_length_and_frequency():
    samples = synthesize(((1000, 0.5),))
    assert len(samples) == SAMPLE_RATE // 2 and np.abs(samples).max() <= 1.0
    spectrum = np.abs(np.fft.rfft(samples))
    assert np.argmax(spectrum) * SAMPLE_RATE / len(samples) == pytest.approx(1000, abs=2)


def test_shell_show_message_is_localised(config):
    english = override(config, device={"language": "en"})
    clock = VirtualClock()
    hardware, _ = build_sim_hardware(english, clock)
    firmware = Firmware(english, hardware, VirtualInbox(clock), JsonLog(io.StringIO(), clock), sim_keys(english))
    shown = []
    firmware.preview.show_message = lambda text, t: shown.append(text)
    firmware.executor.run(ShowMessage(Msg.STORAGE_FULL), 0.0)
    assert shown == ["Storage full"]
    firmware.recorder.close()
    hardware.close()

