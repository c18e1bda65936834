"""The picamera2 adapter against picamera2 itself (0.3.38 from PyPI): its real ``Output``, ``Encoder``
and H.264 encoder, ``CompletedRequest`` and ``MappedArray``, with only the Raspberry Pi OS packages it imports
stubbed (libcamera; kms++ for its preview window; tests/stubs) and the camera object kept as picamera2
drives it (tests/picamera2_host.py).

picamera2 picks its H.264 encoder by platform: the V4L2 hardware encoder on VC4 boards (Zero 2 W, Pi 4),
``LibavH264Encoder`` (libx264 through PyAV) on a Pi 5, whose ISP reports itself as ``pispbe``. Off a Pi
there is no V4L2 encoder, so these tests run as on a Pi 5: the software encoder, for real.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import av
import pytest

sys.path.insert(0, str(Path(__file__).parent / "stubs"))  # libcamera and pykms, nothing else
import picamera2.encoders
import picamera2.platform

# What picamera2 decides at import on a Pi 5 (its probe finds the "pispbe" ISP; there is no such
# device here, so its default, VC4, was taken): the platform, and H264Encoder = LibavH264Encoder.
picamera2.platform._platform = picamera2.platform.Platform.PISP
picamera2.encoders.H264Encoder = picamera2.encoders.LibavH264Encoder

from hal.interfaces import EncodedPacket, HardwareError  # noqa: E402
from hal.picamera2_camera import Picamera2Camera  # noqa: E402
from hal.pixels import PreviewFrame  # noqa: E402
from tests.picamera2_host import CameraHost  # noqa: E402

FRAMES = 12


class Sink:
    def __init__(self) -> None:
        self.packets: list[EncodedPacket] = []
        self.frames: list[tuple[PreviewFrame, float]] = []

    def packet(self, packet: EncodedPacket) -> None:
        self.packets.append(packet)

    def preview(self, frame: PreviewFrame, t: float) -> None:
        self.frames.append((frame, t))

    def fault(self, detail: str) -> None:
        raise AssertionError(detail)


def record(size=(640, 360), preview=(200, 150), frames=FRAMES, sink=None) -> tuple[Sink, CameraHost, int]:
    """Start the adapter on a camera delivering ``frames`` pictures, wait for them, stop it."""
    sink = sink or Sink()
    host = CameraHost(frames=frames)
    camera = Picamera2Camera(size=size, fps=30, preview_size=preview, bitrate=2_000_000, open_camera=lambda: host)
    started_us = time.monotonic_ns() // 1000
    camera.start(sink)
    assert host.delivered.wait(10)
    assert host.error is None, host.error
    camera.stop()
    assert not host.closed, "stopped, still configured for the next start"
    camera.close()
    assert host.closed
    return sink, host, started_us


def nal_types(data: bytes) -> list[int]:
    return [data[i + 3] & 0x1F for i in range(len(data) - 3) if data[i:i + 3] == b"\x00\x00\x01"]


def test_the_real_encoder_turns_the_cameras_frames_into_h264_that_decodes(tmp_path):
    sink, host, _ = record()
    assert not host._encoders, "stop_recording stopped and removed the encoder"
    assert len(sink.packets) == FRAMES, "libx264 in zerolatency mode: one packet per frame, flushed at stop"
    assert sink.packets[0].keyframe and nal_types(sink.packets[0].data)[:2] == [7, 8], "SPS and PPS in band"
    stream = b"".join(p.data for p in sink.packets)
    decoded = list(av.open(_write(tmp_path / "rec.h264", stream), format="h264").decode(video=0))
    assert len(decoded) == FRAMES and (decoded[0].width, decoded[0].height) == (640, 360)
    luma = decoded[5].to_ndarray(format="yuv420p")[:360]  # the Y plane as coded
    assert abs(int(luma[10, 300]) - 200) < 12 and abs(int(luma[300, 300]) - 100) < 12, "the picture, not noise"
    assert int(luma[300, 5]) < 60, "frame 5's dark bar is in column 5"


def test_packets_carry_the_sensor_time_on_the_firmwares_monotonic_clock():
    sink, _, started_us = record()
    pts = [p.pts_us for p in sink.packets]
    assert pts == sorted(pts) and len(set(pts)) == len(pts)
    assert pts[0] == pytest.approx(started_us - 20_000, abs=60_000), "exposed 20 ms before delivery"
    assert (pts[-1] - pts[0]) / (FRAMES - 1) == pytest.approx(1e6 / 30, rel=0.5)
    frame_t = [t for _, t in sink.frames]
    assert frame_t[0] * 1e6 == pytest.approx(pts[0], abs=1), "preview and recording on one clock"


def test_timestamps_keep_running_across_a_camera_restart():
    """picamera2 rebases each start to 0; a restarted camera's packets must not go back in time (the
    pre-record ring, the segment times and the audio all count on one clock)."""
    sink, _, _ = record(frames=4)
    sink, _, _ = record(frames=4, sink=sink)
    pts = [p.pts_us for p in sink.packets]
    assert len(pts) == 8 and pts == sorted(pts) and pts[4] > pts[3]


def test_the_preview_gets_the_lores_stream_with_its_row_padding_skipped():
    sink, host, _ = record(preview=(200, 150))
    frame, _ = sink.frames[3]
    assert (frame.format, frame.width, frame.height, frame.stride) == ("yuv420", 200, 150, 256)
    assert frame.pixels.shape == (225, 256), "make_array keeps the ISP's 64-byte row alignment"
    assert frame.pixels[0, 199] == 200 and frame.pixels[0, 200] == 0, "the padding is not picture"
    assert host.camera_config["main"]["format"] == "YUV420" and host.camera_config["lores"]["format"] == "YUV420"


def test_the_camera_is_configured_once_and_a_start_after_a_stop_only_starts_it():
    """A RECORD hold in stage worn must not wait for picamera2 to configure and allocate its buffers;
    configuring 1080p buffers at every stage change is a known ENOMEM on a Zero 2 W (picamera2 #1130)."""
    host = CameraHost(frames=3)
    camera = Picamera2Camera(size=(640, 360), fps=30, preview_size=(200, 150), open_camera=lambda: host)
    camera.prepare()
    assert host.configure_count == 1 and not host.started, "configured at start-up, not streaming"
    for _ in range(2):
        sink = Sink()
        host.delivered.clear()
        camera.start(sink)
        assert host.delivered.wait(10) and host.error is None
        camera.stop()
        assert len(sink.packets) == 3 and sink.packets[0].keyframe
    assert host.configure_count == 1 and host.stop_count == 2 and not host.closed
    camera.close()
    assert host.closed


def test_a_missing_camera_is_a_hardware_error():
    def no_camera() -> CameraHost:
        raise RuntimeError("Camera __init__ sequence did not complete.")

    with pytest.raises(HardwareError, match="camera: cannot start: Camera __init__ sequence did not complete"):
        Picamera2Camera(size=(640, 480), fps=30, preview_size=(320, 240), open_camera=no_camera).start(Sink())


def _write(path: Path, data: bytes) -> str:
    path.write_bytes(data)
    return str(path)


def test_the_encoder_is_the_one_picamera2_picks_for_this_platform():
    from picamera2.encoders import H264Encoder, LibavH264Encoder

    assert H264Encoder is LibavH264Encoder
