"""The simulated panel: a luma serial interface that keeps the bytes of the last full frame written.

The simulator drives the real luma device class of the configured panel through this interface and
decodes those bytes for the window, so what the window shows is exactly what the panel would get.
"""

from __future__ import annotations

import numpy as np

from hal.pixels import PixelFormat, unpack_rgb565


class PanelCapture:
    def __init__(self, width: int, height: int, pixel_format: PixelFormat) -> None:
        self._width, self._height = width, height
        self._format = pixel_format
        self._frame_size = width * height * (2 if pixel_format == "rgb565" else 3)
        self._frame: bytes | None = None
        self.frames = 0
        self.backlight_on = False

    # luma serial interface
    def command(self, *cmd: int) -> None:
        pass  # window and power commands; the pixel bytes follow as data

    def data(self, data: bytes | list[int]) -> None:
        if len(data) == self._frame_size:
            self._frame = bytes(data)
            self.frames += 1

    def cleanup(self) -> None:
        pass

    def backlight(self, on: bool) -> None:
        """Stands in for luma's GPIO backlight of the LCD panels."""
        self.backlight_on = on

    def image(self) -> np.ndarray | None:
        """The last frame as RGB (height × width × 3), decoded from the panel bytes."""
        if self._frame is None:
            return None
        if self._format == "rgb565":
            return unpack_rgb565(self._frame, self._width, self._height)
        return np.frombuffer(self._frame, dtype=np.uint8).reshape(self._height, self._width, 3)
