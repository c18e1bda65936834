"""The picamera2 adapter against a fake ``picamera2`` package that behaves like the real one."""

from __future__ import annotations

import sys
import time
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
        self.firsttimestamp: int | None = None

    def timestamp(self, sensor_ns: int) -> int:
        """picamera2 0.3.38's Encoder._timestamp: µs since the first frame, which it keeps."""
        ts = sensor_ns // 1000
        if self.firsttimestamp is None:
            self.firsttimestamp = ts
        return ts - self.firsttimestamp


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
        # What picamera2's encoder thread does: one keyframe (with SPS/PPS) then a delta frame, stamped
        # with the sensor's CLOCK_BOOTTIME nanoseconds rebased to the first frame.
        sensor_ns = time.clock_gettime_ns(time.CLOCK_BOOTTIME) - 40_000_000  # exposed 40 ms ago
        output.outputframe(b"\x00\x00\x00\x01\x67sps-pps-idr", keyframe=True, timestamp=encoder.timestamp(sensor_ns))
        output.outputframe(b"\x00\x00\x00\x01\x41delta", keyframe=False,
                           timestamp=encoder.timestamp(sensor_ns + 33_333_000))
        width, height = self.config["lores"]["size"]
        yuv = np.full((height * 3 // 2, width), 128, dtype=np.uint8)
        yuv[:height] = 200
        assert self.post_callback is not None, "the adapter sets post_callback before start_recording"
        self.post_callback(FakeRequest(yuv, sensor_ns))

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
    started_us = time.monotonic_ns() // 1000
    camera.start(sink)
    assert [p.keyframe for p in sink.packets] == [True, False]
    first, second = (p.pts_us for p in sink.packets)
    assert first == pytest.approx(started_us - 40_000, abs=20_000), "on the firmware's monotonic clock"
    assert second - first == 33_333
    assert sink.packets[0].data.startswith(b"\x00\x00\x00\x01\x67")
    encoder = fake_picamera2.instances[0].encoder
    assert encoder.repeat is True and encoder.iperiod == 30
    assert fake_picamera2.instances[0].config["main"] == {"size": (1920, 1080), "format": "YUV420"}
    frame, t = sink.frames[0]
    assert (frame.format, frame.width, frame.height) == ("yuv420", 320, 240)
    assert frame.pixels.shape == (360, 320) and frame.pixels[0, 0] == 200
    assert t * 1e6 == pytest.approx(first, abs=1)
    camera.stop()
    assert fake_picamera2.instances[0].stopped and fake_picamera2.instances[0].closed


def test_picamera2_missing_camera_is_a_hardware_error(fake_picamera2):
    fake_picamera2.fail_open = True
    with pytest.raises(HardwareError, match="camera: cannot start"):
        Picamera2Camera(size=(640, 480), fps=30, preview_size=(320, 240)).start(Sink())


def test_picamera2_timestamps_keep_running_across_a_camera_restart(fake_picamera2):
    """picamera2 rebases each start to 0; the packets of a restarted camera must not go back in time
    (the pre-record ring, the segment times and the audio all count on one clock)."""
    sink = Sink()
    camera = Picamera2Camera(size=(640, 480), fps=30, preview_size=(320, 240))
    camera.start(sink)
    camera.stop()
    time.sleep(0.05)  # the retry comes later on the same clock (whatever the wait, the order must hold)
    camera.start(sink)
    camera.stop()
    pts = [p.pts_us for p in sink.packets]
    assert len(pts) == 4 and pts == sorted(pts) and pts[2] > pts[1]
