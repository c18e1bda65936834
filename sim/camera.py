"""A synthetic camera that encodes real H.264 with PyAV/libx264 and feeds the firmware like picamera2.

The picture is a moving test pattern with the simulated wall clock burned in, or a video file played
in a loop. Frames are produced on the simulator's clock: callbacks in virtual time, a thread in real time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from firmware.config import CameraSettings
from hal.interfaces import CameraSink, Clock, EncodedPacket, HardwareError
from hal.pixels import PreviewFrame
from sim.clock import Handle, RealtimeClock


class Scheduler(Clock, Protocol):
    def call_later(self, delay: float, fn: Callable[[], object]) -> Handle: ...

    def call_every(self, period: float, fn: Callable[[], object]) -> Handle: ...


_BARS = np.array(
    [[235, 235, 235], [235, 235, 16], [16, 235, 235], [16, 235, 16], [235, 16, 235], [235, 16, 16], [16, 16, 235]],
    dtype=np.uint8,
)


class GlyphStrip:
    """Renders short texts from pre-rendered glyphs with NumPy: a per-frame clock costs microseconds."""

    def __init__(self, alphabet: str, height: int) -> None:
        font = ImageFont.load_default(size=height)
        width = max(int(font.getlength(c)) for c in alphabet) + 1
        self._glyphs = {}
        for c in alphabet:
            glyph = Image.new("L", (width, height + 4), 0)
            ImageDraw.Draw(glyph).text((0, 1), c, fill=255, font=font)
            self._glyphs[c] = np.asarray(glyph)
        self.height = height + 4

    def render(self, text: str) -> np.ndarray:
        return np.hstack([self._glyphs[c] for c in text if c in self._glyphs])


class MovingPattern:
    """Colour bars scrolling sideways, a bouncing box and the burned-in time: motion a codec must track."""

    def __init__(self, width: int, height: int) -> None:
        columns = np.arange(width) * len(_BARS) // width
        self._bars = np.broadcast_to(_BARS[columns], (height, width, 3)).copy()
        self._width, self._height = width, height
        self._text = GlyphStrip("0123456789-:. UTC", max(10, height // 12))
        self.label_rows = self._text.height
        """The bottom rows, where the label (the time) is burned in: all that differs between two labels."""

    def frame(self, index: int, label: str) -> np.ndarray:
        shift = (index * 4) % self._width
        image = np.roll(self._bars, shift, axis=1)
        box = max(8, self._height // 6)
        x = (index * 7) % (self._width - box)
        y = int((self._height - box) * (0.5 + 0.45 * np.sin(index / 15)))
        image[y : y + box, x : x + box] = (255, 128, 0)
        # The time goes at the bottom, centred: whole in a recording, and in the front display's square
        # crop it lies under the status line instead of showing as fragments beside the tags at the top.
        text = self._text.render(label)[:, : self._width - 4]
        left = (self._width - text.shape[1]) // 2
        image[-self.label_rows :, :] = 0
        image[-text.shape[0] :, left : left + text.shape[1]] = text[:, :, None]
        return image


class VideoFileSource:
    """Frames of a video file, scaled to the camera size, looping at the end."""

    def __init__(self, path: Path, width: int, height: int) -> None:
        import av

        self._path, self._width, self._height = path, width, height
        try:
            with av.open(str(path)) as container:
                if not container.streams.video:
                    raise HardwareError(f"camera source {path}: no video stream")
        except (OSError, av.FFmpegError) as exc:
            raise HardwareError(f"camera source {path}: cannot open: {exc}") from exc
        self._frames = self._loop()

    def _loop(self) -> Iterator[np.ndarray]:
        import av

        while True:
            with av.open(str(self._path)) as container:
                for frame in container.decode(video=0):
                    yield frame.to_ndarray(format="rgb24", width=self._width, height=self._height)

    def frame(self, index: int, label: str) -> np.ndarray:
        return next(self._frames)


class SyntheticCamera:
    def __init__(
        self,
        clock: Scheduler,
        *,
        size: tuple[int, int],
        fps: int,
        preview_size: tuple[int, int],
        source: Path | None = None,
        bitrate: int = 1_000_000,
    ) -> None:
        self._clock = clock
        self._size = size
        self._fps = fps
        self._bitrate = bitrate
        self._preview_step = preview_step(size, preview_size)
        self._picture = VideoFileSource(source, *size) if source else MovingPattern(*size)
        self._fault: str | None = None
        self._ticker: Handle | None = None
        self._sink: CameraSink | None = None
        self._encoder = None
        self._capturing = threading.RLock()  # a capture runs whole, or not at all, around stop()
        self._index = 0
        self.frames_captured = 0
        """Frames produced since the camera was built: the measure of camera-on time."""

    @property
    def running(self) -> bool:
        return self._ticker is not None

    def prepare(self) -> None:
        """Nothing to allocate ahead: the software encoder opens at start."""
        if self._fault:
            raise HardwareError(f"camera: {self._fault}")

    def start(self, sink: CameraSink) -> None:
        if self._fault:
            raise HardwareError(f"camera: {self._fault}")
        if self._ticker is not None:
            return
        self._sink = sink
        self._encoder = self._open_encoder()
        self._index = 0
        self._ticker = self._clock.call_every(1.0 / self._fps, self._capture)

    def stop(self) -> None:
        """Stops capturing; a frame being captured on the ticker thread is finished first, so nothing
        reaches the sink after this returns (as picamera2's stop_recording joins its encoder thread)."""
        if self._ticker is not None:
            self._ticker.cancel()
        with self._capturing:
            self._ticker = None
            self._encoder = None

    def fail(self, detail: str) -> None:
        """Fault injection: the camera stops delivering and reports ``detail``."""
        self._fault = detail
        if self._ticker is not None:
            sink = self._sink
            self.stop()
            assert sink is not None
            sink.fault(detail)

    def recover(self) -> None:
        """The fault is gone: the firmware's next retry will succeed."""
        self._fault = None

    def _open_encoder(self):
        return open_h264_encoder(*self._size, self._fps, self._bitrate)

    def _capture(self) -> None:
        with self._capturing:
            self._capture_one()

    def _capture_one(self) -> None:
        import av

        if self._encoder is None or self._sink is None:
            return
        t = self._clock.now()
        label = self._clock.utc().strftime("%Y-%m-%d %H:%M:%S.%f")[:-4] + " UTC"
        rgb = self._picture.frame(self._index, label)
        self._index += 1
        self.frames_captured += 1
        frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
        frame.pts = round(t * 1e6)
        frame.time_base = self._encoder.time_base
        for packet in self._encoder.encode(frame):
            self._sink.packet(EncodedPacket(bytes(packet), bool(packet.is_keyframe), int(packet.pts)))
        self._sink.preview(preview_of(rgb, self._preview_step), t)


def preview_step(size: tuple[int, int], preview_size: tuple[int, int]) -> tuple[int, int]:
    """The preview stream takes every n-th row and column: (rows, columns), rounded up, never larger than
    the configured preview size."""
    return -(-size[1] // preview_size[1]), -(-size[0] // preview_size[0])


def preview_of(rgb: np.ndarray, step: tuple[int, int]) -> PreviewFrame:
    """The preview stream's frame of a picture, as the camera delivers it beside the encoder's."""
    lores = rgb[:: step[0], :: step[1]]
    return PreviewFrame(lores, lores.shape[1], lores.shape[0])


def open_h264_encoder(width: int, height: int, fps: int, bitrate: int):
    """libx264 with the stream shape of picamera2's H264Encoder(repeat=True, iperiod=fps): one keyframe
    per second (GOP = fps), no B-frames, SPS/PPS before every keyframe; Annex B, pts in microseconds."""
    import av

    codec = av.CodecContext.create("libx264", "w")
    codec.width, codec.height = width, height
    codec.pix_fmt = "yuv420p"
    codec.framerate = Fraction(fps)
    codec.time_base = Fraction(1, 1_000_000)
    codec.bit_rate = bitrate
    codec.thread_count = 1
    codec.gop_size = fps
    codec.max_b_frames = 0
    codec.options = {
        "preset": "ultrafast",
        "tune": "zerolatency",
        "x264-params": f"keyint={fps}:min-keyint={fps}:scenecut=0:repeat-headers=1",
    }
    codec.open()
    return codec


def open_test_pattern(camera: CameraSettings) -> SyntheticCamera:
    """The moving test pattern in real time, at the configured size: the camera of a rig without a camera
    module (a bench, the HIL machine), on the device's own hardware build."""
    return SyntheticCamera(RealtimeClock(), size=(camera.width, camera.height), fps=camera.fps,
                           preview_size=(camera.preview_width, camera.preview_height), bitrate=camera.bitrate)
