"""What picamera2 0.3.38's ``Picamera2`` object does on the recording path, around the real picamera2
code: the camera object is the one part that needs libcamera's CameraManager and a sensor, and the
buffer allocator the one that needs the Pi's DMA heap.

Kept as in ``picamera2/picamera2.py``: ``start_encoder`` (the encoder gets the stream's name, size,
format and stride, then ``start``), ``process_requests`` (each completed request goes to
``post_callback``, then to every encoder's ``encode``, then is released), ``stop_recording`` (``stop``,
then ``stop_encoder``). The requests are picamera2's real ``CompletedRequest``; their buffers are memfd file
descriptors standing in for dmabufs, mapped once and kept mapped as its ``DmaAllocator`` does (the
encoder keeps a frame's memory until it releases the request); their ``SensorTimestamp`` is
CLOCK_BOOTTIME nanoseconds, as libcamera stamps them.
"""

from __future__ import annotations

import contextlib
import mmap
import os
import threading
import time
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import libcamera  # the stub in tests/stubs (on sys.path while these tests run)
import numpy as np
from picamera2.allocators.allocator import Allocator, Sync
from picamera2.controls import Controls
from picamera2.request import CompletedRequest, Helpers

BUFFERS = 4
STRIDE_ALIGN = 64  # the Pi's ISP pads YUV420 rows to 64 bytes


def _stride(width: int) -> int:
    return -(-width // STRIDE_ALIGN) * STRIDE_ALIGN


class MemfdAllocator(Allocator):
    """picamera2 0.3.38's ``DmaAllocator`` without the DMA heap: one persistent mapping per buffer; its
    sync ioctls (cache maintenance of a dmabuf) have nothing to do on a memfd."""

    def __init__(self) -> None:
        super().__init__()
        self.mapped_buffers: dict[libcamera.FrameBuffer, mmap.mmap] = {}
        self.sync = self.MemfdSync

    def allocate_buffer(self, name: str, size: int) -> libcamera.FrameBuffer:
        fd = os.memfd_create(name)
        os.ftruncate(fd, size)
        buffer = libcamera.FrameBuffer([libcamera.Plane(fd, 0, size)])
        self.mapped_buffers[buffer] = mmap.mmap(fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        return buffer

    def close(self) -> None:
        for buffer, memory in self.mapped_buffers.items():
            with contextlib.suppress(BufferError):  # a frame the test still holds keeps its mapping
                memory.close()
            os.close(buffer.planes[0].fd)
        self.mapped_buffers = {}

    class MemfdSync(Sync):
        def __init__(self, allocator: MemfdAllocator, fb: libcamera.FrameBuffer, write: bool) -> None:
            self.allocator, self.fb = allocator, fb

        def __enter__(self) -> mmap.mmap:
            return self.allocator.mapped_buffers[self.fb]

        def __exit__(self, *exc: object) -> None:
            pass


class CameraHost:
    """Delivers ``frames`` pictures at ``fps`` from its own thread once started; ``painter(i, luma)`` draws
    frame ``i`` into each stream's luma plane (without the row padding)."""

    def __init__(self, frames: int = 12, fps: float = 30.0,
                 painter: Callable[[int, np.ndarray], None] | None = None) -> None:
        self._frames, self._fps, self._painter = frames, fps, painter or _paint
        self.request_lock = threading.Lock()
        self.lock = threading.Lock()
        self.stop_count = 0
        self.configure_count = 0
        self.camera_config: dict[str, Any] = {}
        self.stream_map: dict[str, object] = {}
        self.allocator = MemfdAllocator()
        self.helpers = Helpers(self)
        self.camera_ctrl_info = {"FrameDurationLimits": (
            libcamera.ControlId("FrameDurationLimits", 0x15, libcamera.ControlType.Integer64),
            SimpleNamespace(min=16_666, max=1_000_000))}
        self.controls = Controls(self)
        self.camera: Any = self  # queue_request below: the buffer goes back to the pool
        self.started = False
        self.post_callback: Callable[[CompletedRequest], None] | None = None
        self._encoders: set[Any] = set()
        self._buffers: dict[str, list[libcamera.FrameBuffer]] = {}
        self._thread: threading.Thread | None = None
        self.delivered = threading.Event()
        self.error: BaseException | None = None
        self.closed = False

    def create_video_configuration(self, main: dict, lores: dict, controls: dict) -> dict[str, Any]:
        return {"use_case": "video", "buffer_count": 6, "controls": controls, "display": "lores",
                "main": {**main, "stride": _stride(main["size"][0])},
                "lores": {**lores, "stride": _stride(lores["size"][0])}}

    def configure(self, config: dict[str, Any]) -> None:
        self.configure_count += 1
        self.camera_config = config
        self.controls = Controls(self, config["controls"])
        for name in ("main", "lores"):
            self.stream_map[name] = libcamera.Stream(config[name])
            size = config[name]["stride"] * config[name]["size"][1] * 3 // 2
            self._buffers[name] = [self.allocator.allocate_buffer(f"picamera2-{name}-{i}", size)
                                   for i in range(BUFFERS)]

    def start_encoder(self, encoder: Any, output: Any) -> None:
        encoder.output = output
        streams = self.camera_config
        encoder.name = "main"
        encoder.width, encoder.height = streams["main"]["size"]
        encoder.format = streams["main"]["format"]
        encoder.stride = streams["main"]["stride"]
        if encoder.framerate is None:
            encoder.framerate = 1_000_000 / max(self.camera_ctrl_info["FrameDurationLimits"][1].min, 33_333)
        encoder.start()
        with self.lock:
            self._encoders.add(encoder)

    def start_recording(self, encoder: Any, output: Any) -> None:
        self.start_encoder(encoder, output)
        self.started = True
        self._thread = threading.Thread(target=self._run, name="picamera2-host", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for i in range(self._frames):
                if not self.started:
                    return
                self._process(self._capture(i))
                time.sleep(1 / self._fps)
        except BaseException as exc:  # the test reports it instead of waiting for frames that never come
            self.error = exc
            raise
        finally:
            self.delivered.set()

    def _capture(self, i: int) -> CompletedRequest:
        buffers = {self.stream_map[name]: self._buffers[name][i % BUFFERS] for name in ("main", "lores")}
        for name, buffer in zip(("main", "lores"), buffers.values(), strict=True):
            config = self.camera_config[name]
            stride, (width, height) = config["stride"], config["size"]
            image = np.zeros((height * 3 // 2, stride), dtype=np.uint8)  # row padding stays 0
            image[height:] = 128  # chroma planes (two half-stride rows per row here): no colour
            self._painter(i, image[:height, :width])
            self.allocator.mapped_buffers[buffer][:] = image.tobytes()
        sensor_ns = time.clock_gettime_ns(time.CLOCK_BOOTTIME) - 20_000_000  # exposed 20 ms ago
        request = libcamera.Request(buffers, {libcamera.controls.SensorTimestamp: sensor_ns})
        return CompletedRequest(request, self)

    def _process(self, request: CompletedRequest) -> None:
        with self.lock:
            if self.post_callback:
                self.post_callback(request)
            for encoder in self._encoders:
                if encoder.name in self.stream_map:
                    encoder.encode(encoder.name, request)
            request.release()

    def queue_request(self, request: Any) -> None:
        """libcamera's Camera.queue_request: the buffers are the camera's again."""

    def stop_recording(self) -> None:
        self.started = False
        if self._thread is not None:
            self._thread.join()
        self.stop_count += 1
        for encoder in list(self._encoders):
            encoder.stop()
        with self.lock:
            self._encoders.clear()

    def close(self) -> None:
        self.allocator.close()
        self._buffers = {}
        self.closed = True


def _paint(i: int, luma: np.ndarray) -> None:
    """A bar moving one column per frame over a mid-grey picture, the top rows bright."""
    luma[:] = 100
    luma[: luma.shape[0] // 4] = 200
    luma[:, i % luma.shape[1]] = 30
