"""The pyaudio adapters against a fake ``pyaudio`` module that records what is written and read."""

from __future__ import annotations

import itertools
import sys
import threading
import time

import numpy as np
import pytest

from hal.aac import FRAME, SAMPLE_RATE
from hal.interfaces import HardwareError
from hal.pyaudio_in import PyAudioIn
from hal.pyaudio_out import PyAudioOut
from tests.aac import decode_aac
from tests.fakes import module

PA_INT16 = 8


def tone(seconds: float, hz: float = 1000.0, level: float = 0.5) -> np.ndarray:
    return (level * np.sin(2 * np.pi * hz * np.arange(int(seconds * SAMPLE_RATE)) / SAMPLE_RATE)).astype(np.float32)


class FakeStream:
    def __init__(self, owner: FakePyAudio, **kwargs: object) -> None:
        self.kwargs = kwargs
        self.owner = owner
        self.closed = False

    def write(self, data: bytes) -> None:
        self.owner.written.append((self.kwargs, data))

    def read(self, frames: int, exception_on_overflow: bool = True) -> bytes:
        """Like a real input stream: blocks for the time the frames take to arrive."""
        time.sleep(frames / SAMPLE_RATE / 20)  # 20× faster than real time
        start = self.owner.read_position
        self.owner.read_position += frames
        pcm = np.take(self.owner.microphone, range(start, start + frames), mode="wrap")
        return (pcm * 32767).astype("<i2").tobytes()

    def stop_stream(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True
        self.owner.closed_streams += 1


class FakePyAudio:
    """PyAudio 0.2.14's device queries as the adapters use them; ``is_format_supported`` raises
    ValueError for a rate the device does not take, as PyAudio does (paInvalidSampleRate, -9997)."""

    devices = ({"index": 0, "name": "HDMI", "maxOutputChannels": 2, "maxInputChannels": 0,
                "defaultSampleRate": 44100.0, "rates": (16_000, 44_100, 48_000)},
               {"index": 1, "name": "USB Audio Device", "maxOutputChannels": 1, "maxInputChannels": 1,
                "defaultSampleRate": 48000.0, "rates": (16_000, 48_000)},
               {"index": 2, "name": "snd_rpi_hifiberry_dac: HiFiBerry DAC HiFi pcm5102a-hifi-0 (hw:1,0)",
                "maxOutputChannels": 2, "maxInputChannels": 0, "defaultSampleRate": 48000.0, "rates": (48_000,)})

    def __init__(self) -> None:
        self.written: list[tuple[dict[str, object], bytes]] = []
        self.microphone = tone(1.0)
        self.read_position = 0
        self.closed_streams = 0
        self.terminated = False

    def get_device_count(self) -> int:
        return len(self.devices)

    def get_device_info_by_index(self, index: int) -> dict[str, object]:
        return self.devices[index]

    def get_default_output_device_info(self) -> dict[str, object]:
        return self.devices[0]

    def is_format_supported(self, rate: float, output_device: int, output_channels: int,
                            output_format: int) -> bool:
        if int(rate) not in self.devices[output_device]["rates"]:  # type: ignore[operator]
            raise ValueError("Invalid sample rate", -9997)
        return True

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


def test_audio_out_plays_int16_on_the_named_device(fake_pyaudio):
    out = PyAudioOut("USB Audio", volume=0.5)
    out.write(np.array([1.0, -1.0, 0.5], dtype=np.float32), 16_000, "test")
    kwargs, data = fake_pyaudio[0].written[0]
    assert kwargs["output_device_index"] == 1 and kwargs["rate"] == 16_000 and kwargs["format"] == PA_INT16
    assert np.frombuffer(data, "<i2").tolist() == [16383, -16383, 8191]
    out.close()
    assert fake_pyaudio[0].terminated


def test_audio_unknown_device_name_is_a_clear_error(fake_pyaudio):
    with pytest.raises(HardwareError, match="no output device named 'Bluetooth'"):
        PyAudioOut("Bluetooth")
    with pytest.raises(HardwareError, match="no input device named 'HDMI'"):
        PyAudioIn(time.monotonic, "HDMI")


def decode(packets, microphone: PyAudioIn) -> np.ndarray:
    return decode_aac(str(microphone.format["extradata"]), (p.data for p in packets))


def test_microphone_packets_are_aac_of_what_it_hears_on_the_monotonic_clock(fake_pyaudio):
    packets = []
    arrived = threading.Event()

    def on_packet(packet) -> None:
        packets.append(packet)
        if len(packets) >= 60:
            arrived.set()

    microphone = PyAudioIn(time.monotonic, "USB")
    started = time.monotonic()
    microphone.start(on_packet, lambda: 1.0)
    assert arrived.wait(10)
    microphone.stop()
    assert fake_pyaudio[0].closed_streams == 1
    assert all(p.stream == "audio" for p in packets)
    pts = [p.pts_us for p in packets]
    assert pts == sorted(pts) and all(b - a == round(FRAME * 1e6 / SAMPLE_RATE) or b - a in (21333, 21334)
                                      for a, b in itertools.pairwise(pts))
    assert abs(pts[1] / 1e6 - started) < 1.0
    samples = decode(packets, microphone)
    spectrum = np.abs(np.fft.rfft(samples[4096:4096 + SAMPLE_RATE // 2]))
    assert np.argmax(spectrum) * 2 == pytest.approx(1000, abs=4)


def test_microphone_gain_attenuates_while_the_speaker_plays(fake_pyaudio):
    levels = {}
    for gain in (1.0, 0.1):
        packets: list = []
        microphone = PyAudioIn(time.monotonic)
        microphone.start(packets.append, lambda g=gain: g)
        deadline = time.monotonic() + 10
        while len(packets) < 40 and time.monotonic() < deadline:
            time.sleep(0.01)
        microphone.stop()
        levels[gain] = np.abs(decode(packets, microphone)[4096:]).max()
    assert levels[0.1] == pytest.approx(levels[1.0] * 0.1, rel=0.2)


def test_audio_out_keeps_one_stream_open_so_blocks_play_without_gaps(fake_pyaudio):
    out = PyAudioOut()
    for _ in range(3):
        out.write(np.zeros(640, dtype=np.float32), 16_000, "announce:display-on")
    assert fake_pyaudio[0].closed_streams == 0 and len(fake_pyaudio[0].written) == 3
    out.write(np.zeros(441, dtype=np.float32), 44_100, "announce:operator-recording")  # another rate: reopened
    assert fake_pyaudio[0].closed_streams == 1 and fake_pyaudio[0].written[-1][0]["rate"] == 44_100
    out.close()
    assert fake_pyaudio[0].closed_streams == 2 and fake_pyaudio[0].terminated


def test_aac_time_follows_the_microphone_across_a_restart_and_an_overrun():
    """Stopped at 10.5 s and started again at 70 s (camera off and on), then 0.5 s of samples lost to an
    overrun: each packet's time is when its samples were heard, not a count from the first start."""
    from hal.aac import AacEncoder

    encoder = AacEncoder()
    block = np.zeros(FRAME * 8, dtype=np.float32)  # 0.17 s
    seconds = len(block) / SAMPLE_RATE
    heard = [10.0 + i * seconds for i in range(3)]
    heard += [70.0 + i * seconds for i in range(3)]
    heard += [heard[-1] + seconds + 0.5 + i * seconds for i in range(3)]
    packets = [p for t in heard for p in encoder.encode(block, t)]
    pts = [p.pts_us / 1e6 for p in packets]
    assert pts == sorted(pts)
    assert pts[0] == pytest.approx(10.0, abs=0.05)
    assert any(70.0 <= t < 70.2 for t in pts), "the restart is not 60 s of audio earlier"
    assert pts[-1] == pytest.approx(heard[-1] + seconds, abs=0.1), "the overrun's gap is kept"


def test_audio_out_plays_16_khz_sounds_on_a_codec_that_takes_only_48_khz(fake_pyaudio):
    out = PyAudioOut("HiFiBerry")
    ramp = np.linspace(-0.5, 0.5, 160, dtype=np.float32)  # 10 ms at 16 kHz
    out.write(ramp, 16_000, "announce:display-on")
    kwargs, data = fake_pyaudio[0].written[0]
    assert kwargs["output_device_index"] == 2 and kwargs["rate"] == 48_000
    played = np.frombuffer(data, "<i2") / 32767
    assert len(played) == 480 and played[0] == pytest.approx(-0.5, abs=1e-3)
    assert played[240] == pytest.approx(ramp[80], abs=2e-3), "the same sound, three times the samples"
