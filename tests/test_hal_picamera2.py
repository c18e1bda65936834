"""The picamera2 adapter against a fake ``picamera2`` package that behaves like the real one."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import ClassVar

import numpy as np
import pytest

from hal.interfaces import EncodedPacket, HardwareError
from hal.picamera2_camera import Picamera2Camera
from tests.fakes import module


class FakeOutput:
    def __init__(self) -> None:
        self.recording = False


class FakeH264Encoder:
    def __init__(self, bitrate=None, repeat=False, iperiod=None, **kwargs) -> None:
        self.bitrate, self.repeat, self.iperiod = bitrate, repeat, iperiod


class FakeRequest:
    def __init__(self, lores: np.ndarray, timestamp_ns: int) -> None:
        self._lores, self._ts = lores, timestamp_ns

    def make_array(self, name: str) -> np.ndarray:
        assert name == "lores"
        return self._lores

    def get_metadata(self) -> dict[str, int]:
        return {"SensorTimestamp": self._ts}


class FakePicamera2:
    instances: ClassVar[list[FakePicamera2]] = []
    fail_open = False

    def __init__(self) -> None:
        if FakePicamera2.fail_open:
            raise RuntimeError("Camera __init__ sequence did not complete.")
        self.post_callback: Callable[[FakeRequest], None] | None = None
        self.closed = False
        self.stopped = False
        FakePicamera2.instances.append(self)

    def create_video_configuration(self, main, lores, controls):
        return {"main": main, "lores": lores, "controls": controls}

    def configure(self, config) -> None:
        self.config = config

    def start_recording(self, encoder, output) -> None:
        self.encoder = encoder
        # What picamera2's encoder thread does: one keyframe (with SPS/PPS) then a delta frame.
        output.outputframe(b"\x00\x00\x00\x01\x67sps-pps-idr", keyframe=True, timestamp=1_000_000)
        output.outputframe(b"\x00\x00\x00\x01\x41delta", keyframe=False, timestamp=1_033_333)
        width, height = self.config["lores"]["size"]
        yuv = np.full((height * 3 // 2, width), 128, dtype=np.uint8)
        yuv[:height] = 200
        assert self.post_callback is not None, "the adapter sets post_callback before start_recording"
        self.post_callback(FakeRequest(yuv, 1_040_000_000))

    def stop_recording(self) -> None:
        self.stopped = True

    def close(self) -> None:
        self.closed = True


@pytest.fixture
def fake_picamera2(monkeypatch):
    FakePicamera2.instances = []
    FakePicamera2.fail_open = False
    monkeypatch.setitem(sys.modules, "picamera2", module("picamera2", Picamera2=FakePicamera2))
    monkeypatch.setitem(sys.modules, "picamera2.encoders", module("picamera2.encoders", H264Encoder=FakeH264Encoder))
    monkeypatch.setitem(sys.modules, "picamera2.outputs", module("picamera2.outputs", Output=FakeOutput))
    return FakePicamera2


class Sink:
    def __init__(self) -> None:
        self.packets: list[EncodedPacket] = []
        self.frames: list[tuple[np.ndarray, float]] = []

    def packet(self, packet: EncodedPacket) -> None:
        self.packets.append(packet)

    def preview(self, frame: np.ndarray, t: float) -> None:
        self.frames.append((frame, t))

    def fault(self, detail: str) -> None:
        raise AssertionError(detail)


def test_picamera2_packets_reach_the_sink_with_keyframe_flag_and_timestamp(fake_picamera2):
    sink = Sink()
    camera = Picamera2Camera(size=(1920, 1080), fps=30, preview_size=(320, 240))
    camera.start(sink)
    assert [(p.keyframe, p.pts_us) for p in sink.packets] == [(True, 1_000_000), (False, 1_033_333)]
    assert sink.packets[0].data.startswith(b"\x00\x00\x00\x01\x67")
    encoder = fake_picamera2.instances[0].encoder
    assert encoder.repeat is True and encoder.iperiod == 30
    assert fake_picamera2.instances[0].config["main"] == {"size": (1920, 1080), "format": "YUV420"}
    frame, t = sink.frames[0]
    assert (frame.format, frame.width, frame.height) == ("yuv420", 320, 240)
    assert frame.pixels.shape == (360, 320) and frame.pixels[0, 0] == 200
    assert t == pytest.approx(1.04)
    camera.stop()
    assert fake_picamera2.instances[0].stopped and fake_picamera2.instances[0].closed


def test_picamera2_missing_camera_is_a_hardware_error(fake_picamera2):
    fake_picamera2.fail_open = True
    with pytest.raises(HardwareError, match="camera: cannot start"):
        Picamera2Camera(size=(640, 480), fps=30, preview_size=(320, 240)).start(Sink())
