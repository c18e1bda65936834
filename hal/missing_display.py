"""The front display of a camera whose panel could not be opened (SPI not yet switched on, a loose
cable): it takes every frame and shows nothing, so the camera records on without it while the fault is
logged, audited and signalled by the LEDs and the health report."""

from __future__ import annotations

import numpy as np


class MissingDisplay:
    def __init__(self, width: int, height: int) -> None:
        self._size = (width, height)

    @property
    def size(self) -> tuple[int, int]:
        return self._size

    def power(self, on: bool) -> None:
        pass

    def brightness(self, level: float) -> None:
        pass

    def show(self, frame: np.ndarray) -> None:
        pass
