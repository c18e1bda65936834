"""What the front display shows: the live picture with the stage overlay, at a capped frame rate.

Camera frames arrive on the camera's thread; overlay changes on the loop thread. The newest frame
wins, frames above the fps cap are dropped, never queued.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont, ImageOps

from firmware import texts
from hal.interfaces import Display

FONT = Path(__file__).parent / "assets" / "fonts" / "DejaVuSansCondensed-Bold.ttf"
"""Bundled so that ä, ö, ü and ß render on every device (Pillow's built-in font lacks them)."""


@dataclass(frozen=True)
class Overlay:
    stage: str = "worn"
    recording_since: float | None = None
    message: str | None = None
    message_until: float = 0.0
    fault_text: str | None = None
    """Shown for as long as the fault lasts, over a black picture."""


class Preview:
    MESSAGE_S = 3.0

    def __init__(self, display: Display, *, fps: float, language: str, mirror: bool = True) -> None:
        self._display = display
        self._interval = 1.0 / fps
        self._language = language
        self._mirror = mirror
        self._lock = threading.Lock()
        self._render_lock = threading.Lock()  # camera and loop threads both render; the panel takes one
        self._overlay = Overlay()
        self._last_frame: np.ndarray | None = None
        self._last_render = float("-inf")
        self._font = ImageFont.truetype(str(FONT), size=max(9, display.size[1] // 11))
        self._layer_key: tuple[object, ...] | None = None
        self._layer: Image.Image | None = None

    def set_stage(self, stage: str, t: float, recording_since: float | None) -> None:
        with self._lock:
            if stage not in ("display", "recording"):
                self._last_frame = None  # never show a stale picture when the display comes back
            self._overlay = Overlay(stage, recording_since, self._overlay.message, self._overlay.message_until,
                                    self._overlay.fault_text)
        self.render(t)

    def set_camera_fault(self, fault_text: str | None, t: float) -> None:
        with self._lock:
            o = self._overlay
            self._overlay = Overlay(o.stage, o.recording_since, o.message, o.message_until, fault_text)
        self.render(t)

    def show_message(self, message: str, t: float) -> None:
        with self._lock:
            o = self._overlay
            self._overlay = Overlay(o.stage, o.recording_since, message, t + self.MESSAGE_S, o.fault_text)
        self.render(t)

    def frame(self, frame: np.ndarray, t: float) -> None:
        """A camera frame; rendered unless the previous render was less than one interval ago."""
        if t - self._last_render < self._interval:
            return
        self._last_frame = frame
        self.render(t)

    def render(self, t: float) -> None:
        with self._lock:
            overlay = self._overlay
            frame = self._last_frame
            self._last_render = t
        if overlay.stage not in ("display", "recording"):
            return
        with self._render_lock:
            self._display.show(self.compose(frame, overlay, t))

    def compose(self, frame: np.ndarray | None, overlay: Overlay, t: float) -> Image.Image:
        size = self._display.size
        if frame is None or overlay.fault_text:
            image = Image.new("RGB", size, "black")
        else:
            # Crop to the panel's aspect ratio rather than squash the picture.
            image = ImageOps.fit(Image.fromarray(frame), size, Image.Resampling.BILINEAR)
            if self._mirror:
                image = image.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
        elapsed = max(0, int(t - (overlay.recording_since or t))) if overlay.stage == "recording" else 0
        message = overlay.message if overlay.message and t < overlay.message_until else overlay.fault_text
        layer = self._overlay_layer(overlay.stage, elapsed, message)
        image.paste(layer, (0, 0), layer)
        return image

    def _overlay_layer(self, stage: str, elapsed: int, message: str | None) -> Image.Image:
        """The overlay as a transparent layer, drawn once per change (at most once a second)."""
        key = (stage, elapsed, message)
        if self._layer_key == key and self._layer is not None:
            return self._layer
        width, height = self._display.size
        layer = Image.new("RGBA", (width, height), (0, 0, 0, 0))
        draw = ImageDraw.Draw(layer)
        line = self._font.size + 4
        if stage == "recording":
            draw.rectangle((3, 3, width - 4, 3 + line), fill=(0, 0, 0, 160))
            draw.rectangle((0, 0, width - 1, height - 1), outline=(255, 0, 0, 255), width=3)
            draw.ellipse((5, 5, 5 + line - 6, 5 + line - 6), fill=(255, 0, 0, 255))
            rec = f"{texts.text(texts.REC, self._language)} {elapsed // 60:02d}:{elapsed % 60:02d}"
            draw.text((line + 2, 3), rec, fill=(255, 255, 255, 255), font=self._font)
        else:
            draw.rectangle((0, height - line, width, height), fill=(0, 90, 200, 255))
            draw.text((2, height - line + 2), texts.text(texts.BANNER, self._language), fill=(255, 255, 255, 255),
                      font=self._font)
        if message:
            top = height // 2 - line // 2
            draw.rectangle((0, top, width, top + line), fill=(0, 0, 0, 255))
            draw.text((2, top + 2), message, fill=(255, 220, 0, 255), font=self._font)
        self._layer_key, self._layer = key, layer
        return layer
