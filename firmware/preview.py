"""The front display's picture: camera frame → crop/scale/mirror → overlay → panel, vectorised.

Camera frames arrive on the camera's thread and are only stored; a preview thread renders the newest
one at most ``fps`` times a second and drops the rest, so the camera (and recording) never waits for
the display. In virtual time (headless simulator) rendering happens inline, with the same fps cap.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from firmware import texts
from firmware.overlay import Layer, OverlayPainter, OverlayState
from hal.interfaces import Display
from hal.pixels import PreviewFrame, Sampler
from states.actions import Message


@dataclass(frozen=True)
class DeviceStatus:
    """What the display reflects of the machine's state."""

    stage: str = "worn"
    recording_since: float | None = None
    battery_percent: float | None = None
    battery_low: bool = False
    storage_low: bool = False
    storage_full: bool = False
    camera_fault: bool = False


class Preview:
    MESSAGE_S = 3.0
    MARKER_S = 1.0
    STALE_S = 1.0
    """A frame older than this is not shown: black is honest, an old picture is not."""

    def __init__(
        self,
        display: Display,
        *,
        fps: float,
        language: str,
        mirror: bool = True,
        clock_synchronised: Callable[[], bool] = lambda: True,
        threaded: bool = False,
        now: Callable[[], float] | None = None,
    ) -> None:
        self._display = display
        self._size = display.size
        self._interval = 1.0 / fps
        self._language = language
        self._mirror = mirror
        self._synchronised = clock_synchronised
        self._painter = OverlayPainter(self._size, language)
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()
        self._status = DeviceStatus()
        self._message: tuple[str, float] | None = None
        self._marker_until = float("-inf")
        self._frame: PreviewFrame | None = None
        self._frame_t = 0.0
        self._last_render = float("-inf")
        self._samplers: dict[tuple[int, int, str, int], Sampler] = {}
        self._sync_cache: tuple[int, bool] = (-1, True)
        self.frames_shown = 0
        self._threaded = threaded
        self._wake = threading.Event()
        self._stopped = threading.Event()
        self._now = now
        self._thread: threading.Thread | None = None
        if threaded:
            assert now is not None
            self._thread = threading.Thread(target=self._run, name="preview", daemon=True)
            self._thread.start()

    # --- inputs -----------------------------------------------------------------------------------------

    def set_status(self, status: DeviceStatus, t: float) -> None:
        with self._lock:
            if status == self._status:
                return
            if status.stage not in ("display", "recording"):
                self._frame = None
            self._status = status
        self._request(t, force=True)

    def show_message(self, text: str, t: float) -> None:
        with self._lock:
            self._message = (text, t + self.MESSAGE_S)
        self._request(t, force=True)

    def flash_marker(self, t: float) -> None:
        with self._lock:
            self._marker_until = t + self.MARKER_S
        self._request(t, force=True)

    def frame(self, frame: PreviewFrame, t: float) -> None:
        """A camera frame (camera thread): stored; rendered unless the fps cap says to drop it."""
        with self._lock:
            if self._status.stage not in ("display", "recording"):
                return  # pre-record in ``worn``: nothing to show
            self._frame, self._frame_t = frame, t
        self._request(t, force=False)

    def stop(self) -> None:
        self._stopped.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    # --- rendering --------------------------------------------------------------------------------------

    def _request(self, t: float, force: bool) -> None:
        if self._threaded:
            self._wake.set()
        elif force or t - self._last_render >= self._interval:
            self.render(t)

    def _run(self) -> None:
        assert self._now is not None
        while not self._stopped.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stopped.is_set():
                return  # stop() wakes the thread: nothing more goes to the panel
            wait = self._last_render + self._interval - self._now()
            if wait > 0 and self._stopped.wait(wait):
                return
            self.render(self._now())

    def render(self, t: float) -> None:
        with self._render_lock:
            with self._lock:
                status, frame = self._status, self._frame
                if frame is not None and t - self._frame_t > self.STALE_S:
                    frame = None
            if status.stage not in ("display", "recording"):
                return
            self._last_render = t
            self._display.show(self.compose(frame, status, t))
            self.frames_shown += 1

    def compose(self, frame: PreviewFrame | None, status: DeviceStatus, t: float) -> np.ndarray:
        width, height = self._size
        if frame is None or status.camera_fault:
            picture = np.zeros((height, width, 3), dtype=np.uint8)
        else:
            key = (frame.width, frame.height, frame.format, frame.stride)
            if key not in self._samplers:
                self._samplers[key] = Sampler((frame.width, frame.height), self._size, self._mirror, frame.format,
                                              frame.stride)
            picture = self._samplers[key](frame)
        layer = self._layer(status, t)
        np.copyto(picture, layer.rgb, where=layer.mask)
        return picture

    def _layer(self, status: DeviceStatus, t: float) -> Layer:
        language = self._language
        warnings = []
        if status.battery_low:
            warnings.append(texts.text(texts.WARN_BATTERY, language))
        if status.storage_full:
            warnings.append(texts.text(texts.WARN_STORAGE_FULL, language))
        elif status.storage_low:
            warnings.append(texts.text(texts.WARN_STORAGE_LOW, language))
        if not self._clock_synchronised(t):
            warnings.append(texts.text(texts.WARN_CLOCK, language))
        with self._lock:
            message = self._message
            marker = t < self._marker_until
        text = message[0] if message and t < message[1] else None
        if text is None and status.camera_fault:
            text = texts.text(texts.MESSAGES[Message.CAMERA_FAULT], language)
        elapsed = int(t - status.recording_since) if status.recording_since is not None else 0
        return self._painter.layer(OverlayState(
            stage=status.stage,
            elapsed_s=max(0, elapsed),
            battery_percent=None if status.battery_percent is None else round(status.battery_percent),
            battery_low=status.battery_low,
            warnings=tuple(warnings),
            message=text,
            marker=marker and status.stage == "recording",
        ))

    def _clock_synchronised(self, t: float) -> bool:
        """Asked of the system at most once a second."""
        second, value = self._sync_cache
        if int(t) != second:
            self._sync_cache = (int(t), value := self._synchronised())
        return value
