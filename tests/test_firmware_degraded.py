"""A body cam keeps recording video when its microphone or fuel gauge fails: it degrades, shows and logs
the fault, and never stops."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np

from firmware.app import Firmware
from firmware.device import open_gauge
from firmware.log import JsonLog
from hal.interfaces import HardwareError
from sim.clock import VirtualClock
from sim.hardware import build_sim_hardware, sim_keys
from sim.inbox import VirtualInbox
from states.actions import SetCamera


class DeadMicrophone:
    """What PyAudioIn raises on a board without an input device (the Pi Zero 2 W has none)."""

    def __init__(self) -> None:
        self.format = {"codec": "aac", "sample_rate": 48000, "channels": 1, "extradata": ""}

    def start(self, on_packet, gain, on_gap) -> None:
        raise HardwareError("microphone: cannot open the input device: [Errno -9996] Invalid input device")

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


def firmware_with(config, **parts):
    clock = VirtualClock()
    hardware, controls = build_sim_hardware(config, clock)
    for name, value in parts.items():
        setattr(hardware, name, value)
    out = io.StringIO()
    firmware = Firmware(config, hardware, VirtualInbox(clock), JsonLog(out, clock), sim_keys(config))
    return firmware, controls, out


def records(out: io.StringIO, kind: str) -> list[dict]:
    return [r for r in map(json.loads, out.getvalue().splitlines()) if r["type"] == kind]


def test_a_microphone_that_fails_to_open_leaves_the_camera_recording_picture_and_says_so(config):
    firmware, controls, out = firmware_with(config, microphone=DeadMicrophone())
    shown: list[str] = []
    firmware.preview.show_message = lambda text, t: shown.append(text)
    try:
        firmware.executor.run(SetCamera(True), 1.0)
        assert controls.camera.running, "the picture is recorded without sound"
        (fault,) = records(out, "hardware-fault")
        assert fault["part"] == "microphone" and "Invalid input device" in fault["detail"]
        assert shown == ["Mikrofon ausgefallen – nur Bild"]
    finally:
        firmware.recorder.close()
        firmware.hardware.close()


def test_a_part_that_failed_at_start_is_logged_audited_and_shown(config):
    firmware, _, out = firmware_with(config, faults=[("gauge", "fuel gauge: cannot open I2C bus 1")])
    try:
        (fault,) = records(out, "hardware-fault")
        assert fault["part"] == "gauge"
        audit = "".join(p.read_text() for p in (Path(config.storage.data_dir) / "audit").glob("*.jsonl"))
        assert '"type":"hardware-fault"' in audit.replace(" ", "")
        assert firmware.preview._message is not None, "shown from the start"
        assert firmware.preview._message[0] == "Akkuanzeige ausgefallen"
    finally:
        firmware.recorder.close()
        firmware.hardware.close()


def test_a_gauge_on_an_i2c_bus_that_does_not_exist_is_a_fault_not_a_stop(config):
    from dataclasses import replace

    faults: list[tuple[str, str]] = []
    assert open_gauge(replace(config.battery, gauge="max17048", i2c_bus=250), faults) is None
    ((part, detail),) = faults
    assert part == "gauge" and "cannot open I2C bus 250" in detail
    assert open_gauge(replace(config.battery, gauge="none"), faults) is None and len(faults) == 1


def test_a_display_whose_spi_bus_does_not_exist_is_a_fault_and_the_camera_builds_without_it(config):
    """A fresh card has SPI off until the boot config enables it and the camera reboots: the real luma
    and spidev report the missing bus, and the firmware starts without its display instead of stopping."""
    from dataclasses import replace

    from firmware.device import open_display
    from hal.gpio import pin_factory
    from hal.luma_gpio import LumaGpio
    from hal.missing_display import MissingDisplay

    faults: list[tuple[str, str]] = []
    config = replace(config, display=replace(config.display, spi_port=250))
    display = open_display(config, LumaGpio(pin_factory("mock")), faults)
    assert isinstance(display, MissingDisplay) and display.size == (config.display.width, config.display.height)
    ((part, detail),) = faults
    assert part == "display" and "SPI device not found" in detail


def test_a_camera_without_its_display_records_and_shows_the_fault_on_its_leds_and_log(config):
    from hal.missing_display import MissingDisplay

    firmware, controls, out = firmware_with(config, display=MissingDisplay(128, 128),
                                            faults=[("display", "DeviceNotFoundError: SPI device not found")])
    try:
        (fault,) = records(out, "hardware-fault")
        assert fault["part"] == "display"
        firmware.executor.run(SetCamera(True), 1.0)
        assert controls.camera.running
        assert firmware.executor.faults == {"display": "DeviceNotFoundError: SPI device not found"}
    finally:
        firmware.recorder.close()
        firmware.hardware.close()


class OverrunMicrophone(DeadMicrophone):
    """A microphone whose capture thread lost 1.2 s of sound at 5 s (an overrun under CPU load)."""

    def start(self, on_packet, gain, on_gap) -> None:
        from hal.interfaces import SoundGap

        on_gap(SoundGap(5.0, 1.2))


def test_sound_lost_to_an_overrun_is_logged_audited_with_its_times_and_in_the_recordings_summary(config):
    from states.actions import StartRecording, StopRecording

    firmware, _, out = firmware_with(config, microphone=OverrunMicrophone())
    try:
        firmware.executor.run(StartRecording("announced", 1.0), 1.0)
        firmware.executor.run(SetCamera(True), 1.0)
        firmware.executor.run(StopRecording("stop-hold"), 9.0)
        (gap,) = records(out, "sound-gap")
        assert gap["t"] == 5.0 and gap["seconds"] == 1.2 and gap["gaps"] == 1
        assert gap["utc_to"] > gap["utc_from"]
        (summary,) = records(out, "recording")
        assert summary["sound_gaps"] == 1 and summary["sound_missing_s"] == 1.2
        audit = [json.loads(line) for p in (Path(config.storage.data_dir) / "audit").glob("*.jsonl")
                 for line in p.read_text().splitlines()]
        assert [a["seconds"] for a in audit if a["type"] == "sound-gap"] == [1.2]
    finally:
        firmware.recorder.close()
        firmware.hardware.close()


class StarvedMicrophone(DeadMicrophone):
    """A capture thread starved by the CPU: three stretches lost within a second."""

    def start(self, on_packet, gain, on_gap) -> None:
        from hal.interfaces import SoundGap

        for t in (5.0, 5.4, 5.8):
            on_gap(SoundGap(t, 0.2))


def test_sound_lost_again_and_again_is_one_log_line_a_second_from_the_first_gap_to_the_last(config):
    firmware, _, out = firmware_with(config, microphone=StarvedMicrophone())
    try:
        firmware.executor.run(SetCamera(True), 5.0)
        assert records(out, "sound-gap") == [], "the microphone's thread writes no log line"
        firmware.executor.log_lost_sound(6.0)
        (gap,) = records(out, "sound-gap")
        assert gap["gaps"] == 3 and gap["seconds"] == 0.6 and gap["t"] == 5.0
        assert gap["utc_to"][17:23] == "06.000" and gap["utc_from"][17:23] == "05.000"
        firmware.executor.log_lost_sound(7.0)
        assert len(records(out, "sound-gap")) == 1, "nothing new, nothing written"
    finally:
        firmware.recorder.close()
        firmware.hardware.close()


def test_the_microphones_thread_is_not_held_up_by_a_log_line_being_written(config):
    """The log's lock, held as while another thread fsyncs the audit log: reporting a gap returns at once."""
    import threading

    from hal.interfaces import SoundGap

    firmware, _, out = firmware_with(config)
    try:
        with firmware.log._lock:
            reporter = threading.Thread(target=firmware.executor._sound_lost, args=(SoundGap(5.0, 0.3),))
            reporter.start()
            reporter.join(timeout=10)
            assert not reporter.is_alive()
        firmware.executor.log_lost_sound(6.0)
        assert records(out, "sound-gap")[0]["seconds"] == 0.3
    finally:
        firmware.recorder.close()
        firmware.hardware.close()


def test_a_sound_card_that_is_not_there_is_a_fault_and_the_camera_builds_without_it(config, tmp_path, monkeypatch):
    """A fresh card before its overlay took effect: the configured speaker and microphone cards are
    missing (only HDMI is there); the camera gets a speaker that refuses with the reason and no microphone."""
    import sys
    from dataclasses import replace

    from firmware.device import open_microphone, open_speaker
    from hal.missing_speaker import MissingSpeaker
    from tests.fakes import module
    from tests.test_hal_audio import FakePyAudio

    monkeypatch.setitem(sys.modules, "pyaudio", module("pyaudio", PyAudio=FakePyAudio, paInt32=2))
    (tmp_path / "cards").write_text(" 0 [vc4hdmi        ]: vc4-hdmi - vc4-hdmi\n")
    faults: list[tuple[str, str]] = []
    audio = replace(config.audio, output_device="sndrpigooglevoi", input_device="sndrpigooglevoi", microphone=True)
    speaker = open_speaker(audio, faults, tmp_path)
    assert isinstance(speaker, MissingSpeaker)
    assert open_microphone(audio, lambda: 0.0, faults, tmp_path) is None
    assert [part for part, _ in faults] == ["speaker", "microphone"]
    assert "(sound cards: 0 vc4hdmi)" in faults[0][1]
    try:
        speaker.write(np.zeros(10, dtype=np.float32), 16_000, "announce:display-on")
    except HardwareError as exc:
        assert str(exc) == faults[0][1]
    else:
        raise AssertionError("a missing speaker must refuse, so the player logs each sound it could not play")


def test_a_camera_missing_at_start_up_is_a_fault_at_once_and_its_retry_in_stage_worn_only_prepares_it(config):
    """The camera is configured at start-up, so that a RECORD hold in stage worn records at once: one that
    is not there is a camera fault before any press. Its retry in worn opens it without streaming."""
    from states.actions import RetryCamera
    from states.events import CameraFault, CameraRecovered

    clock = VirtualClock()
    hardware, controls = build_sim_hardware(config, clock)
    controls.camera.fail("no camera connected")
    inbox = VirtualInbox(clock)
    firmware = Firmware(config, hardware, inbox, JsonLog(io.StringIO(), clock), sim_keys(config))
    try:
        fault = inbox.get(clock.now() + 1)
        assert isinstance(fault, CameraFault) and fault.detail == "camera: no camera connected"
        controls.camera.recover()
        firmware.executor.run(RetryCamera(), 5.0)
        assert isinstance(inbox.get(clock.now() + 1), CameraRecovered)
        assert not controls.camera.running, "stage worn: prepared, not streaming"
        firmware.executor.run(SetCamera(True), 6.0)
        assert controls.camera.running
    finally:
        firmware.recorder.close()
        firmware.hardware.close()
