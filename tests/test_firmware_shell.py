"""The imperative shell: actions become hardware effects; the preview shows each stage."""

from __future__ import annotations

import io
import json
import time

import numpy as np
import pytest
from luma.core.device import dummy

from firmware.app import Firmware
from firmware.config import override
from firmware.feedback import PATTERNS, SAMPLE_RATE, synthesize
from firmware.log import JsonLog
from firmware.preview import Preview
from hal.luma_display import LumaDisplay
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


def make_preview(language: str = "de") -> tuple[Preview, LumaDisplay]:
    display = LumaDisplay(dummy(width=128, height=128, mode="RGB"))
    display.power(True)
    return Preview(display, fps=25, language=language), display


GREY = np.full((96, 160, 3), 128, dtype=np.uint8)


def test_preview_display_stage_shows_picture_and_blue_banner():
    preview, display = make_preview()
    preview.set_stage("display", 0.0, None)
    preview.frame(GREY, 0.1)
    pixels = np.asarray(display.device.image)
    assert pixels[60, 64].tolist() == [128, 128, 128]
    assert pixels[125, 120].tolist() == [0, 90, 200]


def test_preview_recording_stage_has_red_frame_and_elapsed_time():
    preview, display = make_preview()
    preview.set_stage("recording", 10.0, 10.0)
    preview.frame(GREY, 75.0)
    pixels = np.asarray(display.device.image)
    assert pixels[64, 0].tolist() == [255, 0, 0] and pixels[64, 127].tolist() == [255, 0, 0]
    assert pixels[118, 100].tolist() == [128, 128, 128], "no banner while recording"


def test_preview_drops_frames_above_the_fps_cap():
    preview, display = make_preview()
    preview.set_stage("display", 0.0, None)
    preview.frame(GREY, 1.0)
    first = display.device.image
    preview.frame(np.zeros_like(GREY), 1.01)  # 10 ms later: above 25 fps, dropped
    assert display.device.image is first


def test_preview_shows_messages_for_three_seconds_and_faults_until_cleared():
    preview, display = make_preview()
    preview.set_stage("display", 0.0, None)
    preview.frame(GREY, 0.0)
    preview.show_message("Speicher voll", 1.0)
    assert np.asarray(display.device.image)[64, 64].tolist() != [128, 128, 128]
    preview.frame(GREY, 4.5)
    assert np.asarray(display.device.image)[64, 64].tolist() == [128, 128, 128]
    preview.set_camera_fault("Kamerafehler", 5.0)
    pixels = np.asarray(display.device.image)
    assert pixels[30, 64].tolist() == [0, 0, 0], "no stale picture while the camera is faulty"


def test_preview_font_has_the_german_characters():
    preview, _ = make_preview()
    tofu = list(preview._font.getmask("\u4e00"))
    for char in "äöüÄÖÜß–":
        assert list(preview._font.getmask(char)) != tofu, char


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


def test_preview_never_shows_a_picture_from_before_the_display_went_off():
    preview, display = make_preview()
    preview.set_stage("display", 0.0, None)
    preview.frame(GREY, 0.1)
    preview.set_stage("worn", 5.0, None)
    preview.set_stage("display", 600.0, None)
    assert np.asarray(display.device.image)[60, 64].tolist() == [0, 0, 0]
