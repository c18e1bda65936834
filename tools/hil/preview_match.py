"""Whether a frame decoded from the display's SPI bus is exactly what the preview path renders: the test
pattern's frame, taken as the camera's preview stream, cropped, scaled, mirrored and overlaid by the
firmware's own ``Preview``, then reduced to the panel's RGB565. Which pattern frame it is, the search finds
out; only the burned-in time (the label) is unknown, so the pixels that show it are not compared."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import numpy as np

from firmware.config import Config
from firmware.preview import DeviceStatus, Preview
from hal.pixels import fill_indices, pack_rgb565
from sim.camera import MovingPattern, preview_of, preview_step
from tools.hil.decode import rgb565


@dataclass(frozen=True)
class PreviewMatch:
    index: int  # the pattern frame the panel shows
    clock_synchronised: bool  # which overlay: with the clock warning or without
    differing: int  # pixels that differ from the rendering (0: exact)
    compared: int  # pixels compared (all but those showing the label)


class _Panel:
    """All ``Preview`` asks of a display to compose a frame: its size."""

    def __init__(self, size: tuple[int, int]) -> None:
        self.size = size


def as_panel_shows(rgb: np.ndarray) -> np.ndarray:
    """What the panel shows of an RGB picture: its RGB565 bytes, decoded as the SPI capture is."""
    return rgb565(pack_rgb565(rgb), rgb.shape[1], rgb.shape[0])


class PreviewRenderer:
    """The firmware's preview of the HIL camera's test pattern in stage display, as the panel shows it."""

    def __init__(self, config: Config, battery_percent: float | None) -> None:
        camera, display = config.camera, config.display
        self._size = (camera.width, camera.height)
        self._pattern = MovingPattern(*self._size)
        self._step = preview_step(self._size, (camera.preview_width, camera.preview_height))
        self._status = DeviceStatus(stage="display", battery_percent=battery_percent)
        self._previews = {synchronised: Preview(_Panel((display.width, display.height)),  # type: ignore[arg-type]
                                                fps=display.preview_fps, language=config.device.language,
                                                mirror=display.mirror, clock_synchronised=partial(bool, synchronised))
                          for synchronised in (True, False)}
        label_from = (camera.height - self._pattern.label_rows + self._step[0] - 1) // self._step[0]
        lores = preview_of(np.zeros((camera.height, camera.width, 3), np.uint8), self._step)
        rows, _ = fill_indices((lores.width, lores.height), (display.width, display.height), display.mirror)
        self.label_rows = rows >= label_from
        """The panel's rows that show the pattern's label rows."""

    def render(self, index: int, synchronised: bool) -> np.ndarray:
        """The panel's picture of pattern frame ``index``, its label blank."""
        frame = preview_of(self._pattern.frame(index, " "), self._step)
        return as_panel_shows(self._previews[synchronised].compose(frame, self._status, 0.0))

    def overlay(self, synchronised: bool) -> np.ndarray:
        """Where the overlay covers the picture: what stays the same under a white and a black picture."""
        preview = self._previews[synchronised]
        lores = preview_of(np.full((*self._size[::-1], 3), 255, np.uint8), self._step)
        white = preview.compose(lores, self._status, 0.0)
        black = preview.compose(None, self._status, 0.0)
        return (white == black).all(axis=2)


def match_preview(shown: np.ndarray, renderer: PreviewRenderer, indices: range) -> PreviewMatch:
    """The pattern frame and overlay among ``indices`` whose rendering differs least from ``shown``, compared
    on every pixel but those of the label that the overlay leaves visible."""
    best: PreviewMatch | None = None
    for synchronised in (True, False):
        compare = ~(renderer.label_rows[:, None] & ~renderer.overlay(synchronised))
        for index in indices:
            expected = renderer.render(index, synchronised)
            differing = int((expected != shown).any(axis=2)[compare].sum())
            if best is None or differing < best.differing:
                best = PreviewMatch(index, synchronised, differing, int(compare.sum()))
            if differing == 0:
                return best
    assert best is not None, "an empty range of indices"
    return best
