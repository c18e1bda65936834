"""The synthetic camera produces real, decodable H.264 in the same shape as picamera2's encoder."""

from __future__ import annotations

import threading
import time

import av
import numpy as np
import pytest

from hal.interfaces import EncodedPacket, HardwareError
from hal.pixels import PreviewFrame
from sim.camera import SyntheticCamera
from sim.clock import RealtimeClock, VirtualClock


class Sink:
    def __init__(self) -> None:
        self.packets: list[EncodedPacket] = []
        self.frames: list[tuple[PreviewFrame, float]] = []
        self.faults: list[str] = []

    def packet(self, packet) -> None:
        self.packets.append(packet)

    def preview(self, frame, t) -> None:
        self.frames.append((frame, t))

    def fault(self, detail) -> None:
        self.faults.append(detail)


def nal_types(data: bytes) -> set[int]:
    return {data[i + 3] & 0x1F for i in range(len(data) - 3) if data[i : i + 3] == b"\x00\x00\x01"}


def run_camera(seconds: float, **kwargs) -> tuple[Sink, SyntheticCamera, VirtualClock]:
    clock = VirtualClock()
    camera = SyntheticCamera(clock, size=(160, 96), fps=30, preview_size=(80, 48), **kwargs)
    sink = Sink()
    camera.start(sink)
    clock.advance_to(seconds)
    return sink, camera, clock


def test_synthetic_camera_packets_decode_as_h264_with_one_keyframe_per_second():
    sink, camera, _ = run_camera(3.0)
    camera.stop()
    assert len(sink.packets) == 90
    keyframes = [i for i, p in enumerate(sink.packets) if p.keyframe]
    assert keyframes == [0, 30, 60]
    for index in keyframes:
        assert {7, 8, 5} <= nal_types(sink.packets[index].data), "SPS, PPS and IDR in every keyframe"
    codec = av.CodecContext.create("h264", "r")
    decoded = [f for p in sink.packets for f in codec.decode(av.Packet(p.data))]
    assert len(decoded) == 90
    assert (decoded[0].width, decoded[0].height) == (160, 96)


def test_synthetic_camera_timestamps_follow_the_clock():
    sink, _, _ = run_camera(1.0)
    assert [p.pts_us for p in sink.packets[:3]] == [33333, 66667, 100000]
    frame, t = sink.frames[0]
    assert frame.pixels.shape == (48, 80, 3) and (frame.width, frame.height) == (80, 48)
    assert t == pytest.approx(1 / 30)


def test_synthetic_camera_burns_in_a_changing_clock():
    sink, _, _ = run_camera(2.0)
    first, last = sink.frames[0][0].pixels, sink.frames[-1][0].pixels
    assert not np.array_equal(first[:8], last[:8])


def test_synthetic_camera_fault_stops_frames_and_blocks_restart_until_recovered():
    sink, camera, clock = run_camera(1.0)
    camera.fail("sensor timeout")
    count = len(sink.packets)
    clock.advance_to(2.0)
    assert len(sink.packets) == count and sink.faults == ["sensor timeout"] and not camera.running
    with pytest.raises(HardwareError, match="sensor timeout"):
        camera.start(sink)
    camera.recover()
    camera.start(sink)
    clock.advance_to(3.0)
    assert len(sink.packets) > count and sink.packets[count].keyframe


def test_synthetic_camera_plays_a_video_file(tmp_path):
    path = tmp_path / "clip.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("libx264", rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
        for i in range(5):
            image = np.full((48, 64, 3), i * 50, dtype=np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(image, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    sink, _, _ = run_camera(1.0, source=path)
    brightness = [int(f.pixels.mean()) for f, _ in sink.frames[:7]]
    assert brightness[5] == brightness[0], "the file loops"
    assert len(set(brightness[:5])) == 5


def test_synthetic_camera_rejects_a_file_without_video(tmp_path):
    bad = tmp_path / "notes.mp4"
    bad.write_bytes(b"not a video")
    with pytest.raises(HardwareError, match=r"notes\.mp4"):
        run_camera(0.1, source=bad)


class BusyPanelSink(Sink):
    """Takes the first preview frame slowly: the ticker thread is inside a capture until released."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = threading.Event()
        self.release = threading.Event()

    def preview(self, frame, t) -> None:
        self.inside.set()
        assert self.release.wait(10)
        super().preview(frame, t)


def test_stopping_the_camera_waits_for_the_capture_in_progress_and_nothing_arrives_after():
    """The real-time simulator stops the camera from the firmware thread while the ticker thread
    captures: stop() must neither break that capture (it used to raise on the cleared encoder) nor
    return before it is done."""
    sink = BusyPanelSink()
    camera = SyntheticCamera(RealtimeClock(), size=(160, 96), fps=30, preview_size=(80, 48))
    camera.start(sink)
    assert sink.inside.wait(10)
    stopper = threading.Thread(target=camera.stop)
    stopper.start()
    stopper.join(0.2)
    assert stopper.is_alive(), "stop() waits for the frame being captured"
    sink.release.set()
    stopper.join(10)
    assert not stopper.is_alive() and len(sink.frames) == 1
    time.sleep(0.2)  # several frame periods: a ticker still running would deliver more
    assert len(sink.frames) == 1
