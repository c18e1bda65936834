"""Panel pixel formats, vectorised: what stock luma does pixel by pixel in Python, done with NumPy."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

PixelFormat = Literal["rgb565", "rgb888"]


def pack_rgb565(rgb: np.ndarray) -> bytes:
    """RGB565, high byte first (SSD1351 '65K format 1'): the same bytes as luma.oled's loop."""
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    packed = np.empty((*rgb.shape[:2], 2), dtype=np.uint8)
    packed[..., 0] = (r & 0xF8) | (g >> 5)
    packed[..., 1] = ((g << 3) & 0xE0) | (b >> 3)
    return packed.tobytes()


def unpack_rgb565(data: bytes, width: int, height: int) -> np.ndarray:
    """Panel bytes back to RGB, for showing in the simulator exactly what the panel received."""
    pairs = np.frombuffer(data, dtype=np.uint8).reshape(height, width, 2).astype(np.uint16)
    value = (pairs[..., 0] << 8) | pairs[..., 1]
    rgb = np.empty((height, width, 3), dtype=np.uint8)
    rgb[..., 0] = ((value >> 11) & 0x1F) * 255 // 31
    rgb[..., 1] = ((value >> 5) & 0x3F) * 255 // 63
    rgb[..., 2] = (value & 0x1F) * 255 // 31
    return rgb


@dataclass(frozen=True)
class PreviewFrame:
    """A low-resolution camera frame as the sensor pipeline delivers it, before any conversion."""

    pixels: np.ndarray
    """``rgb``: height × width × 3; ``yuv420``: planar I420, (height × 3/2) × ``stride``."""
    width: int
    height: int
    format: Literal["rgb", "yuv420"] = "rgb"
    stride: int = 0
    """``yuv420``: bytes per Y row including padding (libcamera pads rows, e.g. to 64); 0: ``width``."""


class Sampler:
    """Picks and converts only the pixels a panel shows, from frames of one size and format.

    Crop-to-fill, scaling and mirroring are precomputed as flat indices, so a 128×128 panel costs one
    gather of 16 k pixels per frame (the YUV420 → RGB conversion included), whatever the frame size.
    """

    def __init__(self, source: tuple[int, int], target: tuple[int, int], mirror: bool, fmt: str,
                 stride: int = 0) -> None:
        width, height = source
        stride = stride or width
        rows, cols = fill_indices(source, target, mirror)
        self._shape = (target[1], target[0])
        self._format = fmt
        self._luma = (rows[:, None] * (stride if fmt == "yuv420" else width) + cols[None, :]).ravel()
        self._chroma = ((rows[:, None] // 2) * (stride // 2) + cols[None, :] // 2).ravel()
        self._plane = stride * height

    def __call__(self, frame: PreviewFrame) -> np.ndarray:
        if self._format == "rgb":
            return frame.pixels.reshape(-1, 3).take(self._luma, axis=0).reshape(*self._shape, 3)
        planes = frame.pixels.reshape(-1)
        size = self._plane
        y = planes[:size].take(self._luma).astype(np.int32)
        u = planes[size : size * 5 // 4].take(self._chroma).astype(np.int32) - 128
        v = planes[size * 5 // 4 :].take(self._chroma).astype(np.int32) - 128
        # JFIF (full-range BT.601) in fixed point, scaled by 2^16
        rgb = np.empty((y.size, 3), dtype=np.int32)
        rgb[:, 0] = y + ((91881 * v) >> 16)
        rgb[:, 1] = y - ((22554 * u + 46802 * v) >> 16)
        rgb[:, 2] = y + ((116130 * u) >> 16)
        return np.clip(rgb, 0, 255).astype(np.uint8).reshape(*self._shape, 3)


def fill_indices(source: tuple[int, int], target: tuple[int, int], mirror: bool) -> tuple[np.ndarray, np.ndarray]:
    """Row and column indices that crop ``source`` (w, h) to the aspect of ``target`` and scale it to fill.

    Computed once per frame size; mirroring is free (the column indices run backwards).
    """
    sw, sh = source
    tw, th = target
    scale = max(tw / sw, th / sh)
    crop_w, crop_h = tw / scale, th / scale
    x0, y0 = (sw - crop_w) / 2, (sh - crop_h) / 2
    cols = np.clip((x0 + (np.arange(tw) + 0.5) / scale).astype(np.int64), 0, sw - 1)
    rows = np.clip((y0 + (np.arange(th) + 0.5) / scale).astype(np.int64), 0, sh - 1)
    return rows, cols[::-1] if mirror else cols
