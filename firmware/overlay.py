"""The stage overlay: drawn with Pillow once per change, kept as a colour layer and a mask."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from firmware import texts

FONT = Path(__file__).parent / "assets" / "fonts" / "DejaVuSansCondensed-Bold.ttf"
"""Bundled so that ä, ö, ü and ß render on every device (Pillow's built-in font lacks them)."""
LAYOUT = ImageFont.Layout.BASIC
"""Pillow's own text layout: with libraqm (Pillow uses it where the system has libfribidi) glyphs are placed
differently, so the same firmware drew other pixels on a camera without it than on a laptop with it. Our
texts need no shaping or bidirectional layout."""
RED, BLUE, YELLOW, WHITE, BLACK = (230, 0, 0), (0, 80, 200), (255, 210, 0), (255, 255, 255), (0, 0, 0)


@dataclass(frozen=True)
class OverlayState:
    """Everything the overlay shows; equal states give the identical layer (it is cached)."""

    stage: str
    elapsed_s: int = 0
    battery_percent: int | None = None
    battery_low: bool = False
    warnings: tuple[str, ...] = ()
    message: str | None = None
    marker: bool = False


@dataclass(frozen=True)
class Layer:
    rgb: np.ndarray
    mask: np.ndarray
    """True where the overlay covers the picture; one value per channel, so copying needs no broadcast."""


class OverlayPainter:
    def __init__(self, size: tuple[int, int], language: str) -> None:
        self._size = size
        self._language = language
        height = size[1]
        self._big = ImageFont.truetype(str(FONT), size=max(10, height // 9), layout_engine=LAYOUT)
        self._small = ImageFont.truetype(str(FONT), size=max(8, height // 12), layout_engine=LAYOUT)
        self._cache: tuple[OverlayState, Layer] | None = None

    def layer(self, state: OverlayState) -> Layer:
        if self._cache is None or self._cache[0] != state:
            self._cache = (state, self._paint(state))
        return self._cache[1]

    def _paint(self, state: OverlayState) -> Layer:
        width, height = self._size
        image = Image.new("RGBA", self._size, (0, 0, 0, 0))
        draw = ImageDraw.Draw(image)
        bar = int(self._big.size) + 4
        if state.stage == "recording":
            colour = YELLOW if state.marker else RED
            draw.rectangle((0, 0, width - 1, height - 1), outline=colour, width=3)
            draw.rectangle((3, 3, width - 4, bar + 2), fill=BLACK)
            dot = self._big.size - 2
            draw.ellipse((6, 5, 6 + dot, 5 + dot), fill=RED)
            minutes, seconds = divmod(state.elapsed_s, 60)
            draw.text((10 + dot, 3), f"{texts.text(texts.REC, self._language)} {minutes:02d}:{seconds:02d}",
                      fill=WHITE, font=self._big)
            if state.marker:
                self._box(draw, texts.text(texts.MARKED, self._language), bar + 8, YELLOW)
        else:
            label = texts.text(texts.VIDEO, self._language)
            draw.rectangle((0, 0, self._big.getlength(label) + 8, bar), fill=BLUE)
            draw.text((4, 2), label, fill=WHITE, font=self._big)
            lines = self._wrap(texts.text(texts.BANNER, self._language), self._small, width - 6)
            line = self._small.size + 2
            top = height - len(lines) * line - 4
            draw.rectangle((0, top, width, height), fill=BLUE)
            for i, text in enumerate(lines):
                draw.text((3, top + 2 + i * line), text, fill=WHITE, font=self._small)
        self._battery(draw, state, bar)
        if state.warnings:
            self._box(draw, " · ".join(state.warnings), bar + 6, YELLOW, font=self._small)
        if state.message:
            self._box(draw, state.message, height // 2 - int(self._big.size), YELLOW)
        rgba = np.asarray(image)
        covered = rgba[..., 3] > 0
        return Layer(np.ascontiguousarray(rgba[..., :3]), np.repeat(covered[..., None], 3, axis=2))

    def _battery(self, draw: ImageDraw.ImageDraw, state: OverlayState, bar: int) -> None:
        if state.battery_percent is None:
            return
        width = self._size[0]
        body_w, body_h = max(14, bar), max(7, bar // 2)
        right, top = width - 6, (bar - body_h) // 2 + 2
        left = right - body_w
        colour = RED if state.battery_low else WHITE
        draw.rectangle((left - 1, top - 1, right + 3, top + body_h + 1), fill=BLACK)
        draw.rectangle((left, top, right, top + body_h), outline=colour, width=1)
        draw.rectangle((right + 1, top + 2, right + 2, top + body_h - 2), fill=colour)
        level = round((body_w - 3) * max(0, min(100, state.battery_percent)) / 100)
        if level > 0:
            draw.rectangle((left + 2, top + 2, left + 1 + level, top + body_h - 2), fill=colour)

    def _box(self, draw: ImageDraw.ImageDraw, text: str, top: int, colour: tuple[int, int, int],
             font: ImageFont.FreeTypeFont | None = None) -> None:
        """Wrapped text on a black band across the picture."""
        font = font or self._big
        width = self._size[0]
        lines = self._wrap(text, font, width - 8)
        line = font.size + 3
        draw.rectangle((3, top, width - 4, top + len(lines) * line + 3), fill=BLACK)
        for i, text_line in enumerate(lines):
            draw.text((6, top + 2 + i * line), text_line, fill=colour, font=font)

    @staticmethod
    def _wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
        lines: list[str] = []
        for word in text.split():
            if lines and font.getlength(f"{lines[-1]} {word}") <= width:
                lines[-1] = f"{lines[-1]} {word}"
            else:
                lines.append(word)
        return lines
