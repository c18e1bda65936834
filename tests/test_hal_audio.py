"""The pyaudio adapter against a fake ``pyaudio`` module that records what is written."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest

from hal.interfaces import HardwareError
from hal.pyaudio_out import PyAudioOut
from tests.fakes import module

PA_INT16 = 8


class FakeStream:
    def __init__(self, owner: FakePyAudio, **kwargs: object) -> None:
        self.kwargs = kwargs
        self.owner = owner
        self.closed = False

    def write(self, data: bytes) -> None:
        self.owner.written.append((self.kwargs, data))
        self.owner.done.set()

    def stop_stream(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


class FakePyAudio:
    devices = ({"name": "HDMI", "maxOutputChannels": 2}, {"name": "USB Audio Device", "maxOutputChannels": 1})

    def __init__(self) -> None:
        self.written: list[tuple[dict[str, object], bytes]] = []
        self.done = threading.Event()
        self.terminated = False

    def get_device_count(self) -> int:
        return len(self.devices)

    def get_device_info_by_index(self, index: int) -> dict[str, object]:
        return self.devices[index]

    def get_format_from_width(self, width: int) -> int:
        assert width == 2
        return PA_INT16

    def open(self, **kwargs: object) -> FakeStream:
        return FakeStream(self, **kwargs)

    def terminate(self) -> None:
        self.terminated = True


@pytest.fixture
def fake_pyaudio(monkeypatch):
    instances: list[FakePyAudio] = []

    def factory() -> FakePyAudio:
        instances.append(FakePyAudio())
        return instances[-1]

    monkeypatch.setitem(sys.modules, "pyaudio", module("pyaudio", PyAudio=factory, paInt16=PA_INT16))
    return instances


def test_audio_plays_int16_on_the_named_device_without_blocking(fake_pyaudio):
    out = PyAudioOut("USB Audio", volume=0.5)
    out.play(np.array([1.0, -1.0, 0.5], dtype=np.float32), 16_000, "test")
    pa = fake_pyaudio[0]
    assert pa.done.wait(5)
    kwargs, data = pa.written[0]
    assert kwargs["output_device_index"] == 1 and kwargs["rate"] == 16_000 and kwargs["format"] == PA_INT16
    assert np.frombuffer(data, "<i2").tolist() == [16383, -16383, 8191]
    out.close()
    assert pa.terminated


def test_audio_unknown_device_name_is_a_clear_error(fake_pyaudio):
    with pytest.raises(HardwareError, match="no output device named 'Bluetooth'"):
        PyAudioOut("Bluetooth")
