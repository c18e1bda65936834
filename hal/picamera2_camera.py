"""The Camera Module through picamera2: H.264 main stream for recording, lores stream for preview."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from hal.interfaces import CameraSink, EncodedPacket, HardwareError
from hal.pixels import PreviewFrame


def sensor_to_monotonic_us(sensor_us: int) -> int:
    """libcamera's SensorTimestamp is CLOCK_BOOTTIME; the firmware (presses, audio, markers) runs on
    CLOCK_MONOTONIC. They differ by the time the system was suspended."""
    offset_ns = time.clock_gettime_ns(time.CLOCK_BOOTTIME) - time.monotonic_ns()
    return sensor_us - offset_ns // 1000


def _output_class() -> type:
    """A picamera2 ``Output`` that hands every encoded packet to our sink (built on first use)."""
    from picamera2.outputs import Output

    class SinkOutput(Output):
        def __init__(self, sink: CameraSink, encoder: Any) -> None:
            super().__init__()
            self._sink = sink
            self._encoder = encoder

        def outputframe(self, frame, keyframe=True, timestamp=None, packet=None, audio=False):
            if audio:
                return
            # picamera2 (0.3.x, Encoder._timestamp) rebases every start to 0 and keeps the first frame's
            # SensorTimestamp in firsttimestamp: both back together give the sensor time of this frame.
            sensor_us = int(self._encoder.firsttimestamp or 0) + int(timestamp or 0)
            self._sink.packet(EncodedPacket(bytes(frame), bool(keyframe), sensor_to_monotonic_us(sensor_us)))

    return SinkOutput


class Picamera2Camera:
    def __init__(
        self,
        *,
        size: tuple[int, int],
        fps: int,
        preview_size: tuple[int, int],
        bitrate: int = 8_000_000,
        open_camera: Callable[[], Any] | None = None,
    ) -> None:
        self._size = size
        self._fps = fps
        self._preview_size = preview_size
        self._bitrate = bitrate
        self._open_camera = open_camera
        self._camera: Any = None

    def prepare(self) -> None:
        """Open and configure the camera once, buffers included; ``stop`` keeps it so. A RECORD hold in
        stage worn (imminent danger) then only starts the sensor and the encoder instead of waiting for a
        configuration, and the 1080p buffers are not allocated again at every stage change (a known
        ENOMEM on a Zero 2 W, picamera2 #1130)."""
        if self._camera is not None:
            return
        try:
            if self._open_camera is None:
                from picamera2 import Picamera2

                self._camera = Picamera2()
            else:
                self._camera = self._open_camera()
            self._camera.configure(self._camera.create_video_configuration(
                # YUV420, not picamera2's default XBGR8888: the encoder takes it as is, and six 1080p
                # buffers take 19 MB of CMA instead of 50 MB (a Zero 2 W has 512 MB in all).
                main={"size": self._size, "format": "YUV420"},
                lores={"size": self._preview_size, "format": "YUV420"},
                controls={"FrameRate": self._fps},
            ))
        except Exception as exc:  # picamera2 raises a variety of errors for a missing or busy camera
            self.close()
            raise HardwareError(f"camera: cannot start: {exc}") from exc

    def start(self, sink: CameraSink) -> None:
        self.prepare()
        camera = self._camera
        width, height = self._preview_size

        def on_request(request: Any) -> None:
            frame = request.make_array("lores")
            t = sensor_to_monotonic_us(request.get_metadata().get("SensorTimestamp", 0) // 1000) / 1e6
            # The lores stream is planar YUV420 with padded rows (make_array keeps the stride); the
            # preview converts only the pixels it shows.
            sink.preview(PreviewFrame(frame, width, height, "yuv420", stride=frame.shape[1]), t)

        try:
            from picamera2.encoders import H264Encoder

            camera.post_callback = on_request
            # repeat: SPS/PPS before every keyframe, so each segment decodes on its own.
            encoder = H264Encoder(bitrate=self._bitrate, repeat=True, iperiod=self._fps)
            camera.start_recording(encoder, _output_class()(sink, encoder))
        except Exception as exc:
            self.close()  # opened again, from scratch, at the next start
            raise HardwareError(f"camera: cannot start: {exc}") from exc

    def stop(self) -> None:
        """Stops streaming; the camera stays open and configured for the next start."""
        camera = self._camera
        if camera is None:
            return
        try:
            camera.stop_recording()
        except Exception:
            self.close()
            raise

    def close(self) -> None:
        """Releases the camera (at shutdown, or after a failure)."""
        camera, self._camera = self._camera, None
        if camera is not None:
            camera.close()
