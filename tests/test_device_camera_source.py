"""A rig without a camera module (a bench, the HIL machine) records the test pattern, on the device's own
hardware build; a camera records from its module."""

from __future__ import annotations

import threading

import av

from firmware.config import parse
from firmware.device import open_camera
from hal.picamera2_camera import Picamera2Camera
from sim.camera import open_test_pattern


class Sink:
    def __init__(self) -> None:
        self.packets: list[bytes] = []
        self.previews = 0
        self.enough = threading.Event()

    def packet(self, packet) -> None:
        self.packets.append(packet.data)
        if len(self.packets) >= 5:
            self.enough.set()

    def preview(self, frame, t) -> None:
        self.previews += 1

    def fault(self, detail: str) -> None:
        raise AssertionError(detail)


def test_a_camera_records_from_its_camera_module_by_default():
    assert isinstance(open_camera(parse("").camera, open_test_pattern), Picamera2Camera)


def test_the_test_pattern_source_records_decodable_h264_at_the_configured_size_in_real_time():
    config = parse('[camera]\nsource = "test-pattern"\nwidth = 320\nheight = 240\nfps = 10\n')
    camera = open_camera(config.camera, open_test_pattern)
    sink = Sink()
    camera.start(sink)
    try:
        assert sink.enough.wait(10), "no packets from the test pattern within 10 s"
    finally:
        camera.stop()
    decoder = av.CodecContext.create("h264", "r")
    frames = [f for data in sink.packets for p in decoder.parse(data) for f in decoder.decode(p)]
    assert frames and (frames[0].width, frames[0].height) == (320, 240)
    assert sink.previews >= 5
