"""The Camera Module through picamera2: H.264 main stream for recording, lores stream for preview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hal.interfaces import CameraSink, EncodedPacket, HardwareError
from hal.pixels import PreviewFrame


def _output_class() -> type:
    """A picamera2 ``Output`` that hands every encoded packet to our sink (built on first use)."""
    from picamera2.outputs import Output

    class SinkOutput(Output):
        def __init__(self, sink: CameraSink) -> None:
            super().__init__()
            self._sink = sink

        def outputframe(self, frame, keyframe=True, timestamp=None, packet=None, audio=False):
            if audio:
                return
            self._sink.packet(EncodedPacket(bytes(frame), bool(keyframe), int(timestamp or 0)))

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

    def start(self, sink: CameraSink) -> None:
        try:
            from picamera2.encoders import H264Encoder

            if self._open_camera is None:
                from picamera2 import Picamera2

                self._camera = Picamera2()
            else:
                self._camera = self._open_camera()
            camera = self._camera
            config = camera.create_video_configuration(
                # YUV420, not picamera2's default XBGR8888: the encoder takes it as is, and six 1080p
                # buffers take 19 MB of CMA instead of 50 MB (a Zero 2 W has 512 MB in all).
                main={"size": self._size, "format": "YUV420"},
                lores={"size": self._preview_size, "format": "YUV420"},
                controls={"FrameRate": self._fps},
            )
            camera.configure(config)
            width, height = self._preview_size

            def on_request(request: Any) -> None:
                frame = request.make_array("lores")
                t = request.get_metadata().get("SensorTimestamp", 0) / 1e9
                # The lores stream is planar YUV420 with padded rows (make_array keeps the stride); the
                # preview converts only the pixels it shows.
                sink.preview(PreviewFrame(frame, width, height, "yuv420", stride=frame.shape[1]), t)

            camera.post_callback = on_request
            # repeat: SPS/PPS before every keyframe, so each segment decodes on its own.
            encoder = H264Encoder(bitrate=self._bitrate, repeat=True, iperiod=self._fps)
            camera.start_recording(encoder, _output_class()(sink))
        except HardwareError:
            raise
        except Exception as exc:  # picamera2 raises a variety of errors for a missing or busy camera
            self.stop()
            raise HardwareError(f"camera: cannot start: {exc}") from exc

    def stop(self) -> None:
        camera, self._camera = self._camera, None
        if camera is None:
            return
        try:
            camera.stop_recording()
        finally:
            camera.close()
