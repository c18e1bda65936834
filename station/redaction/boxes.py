"""Rectangles on a picture, in pixels of the full frame: what a face covers, grown by a margin, and
where one is between two sightings."""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def area(self) -> float:
        return max(0.0, self.x1 - self.x0) * max(0.0, self.y1 - self.y0)

    def grown(self, margin: float) -> Box:
        """Larger by ``margin`` of its width and height on every side: a face's hair and ears, and a face
        that moved between two detections."""
        dx, dy = (self.x1 - self.x0) * margin, (self.y1 - self.y0) * margin
        return Box(self.x0 - dx, self.y0 - dy, self.x1 + dx, self.y1 + dy)

    def pixels(self, width: int, height: int) -> tuple[int, int, int, int]:
        """The box's whole pixels inside a ``width`` × ``height`` frame (rounded outwards): x0, y0, x1, y1."""
        return (max(0, math.floor(self.x0)), max(0, math.floor(self.y0)),
                min(width, math.ceil(self.x1)), min(height, math.ceil(self.y1)))


def overlap(a: Box, b: Box) -> float:
    """Intersection over union: 1 for the same box, 0 for boxes apart."""
    inner = Box(max(a.x0, b.x0), max(a.y0, b.y0), min(a.x1, b.x1), min(a.y1, b.y1))
    union = a.area + b.area - inner.area
    return inner.area / union if union > 0 else 0.0


def union(a: Box, b: Box) -> Box:
    """The smallest box holding both."""
    return Box(min(a.x0, b.x0), min(a.y0, b.y0), max(a.x1, b.x1), max(a.y1, b.y1))


def between(a: Box, b: Box, share: float) -> Box:
    """The box ``share`` of the way from ``a`` to ``b`` (0: ``a``, 1: ``b``)."""
    return Box(a.x0 + (b.x0 - a.x0) * share, a.y0 + (b.y0 - a.y0) * share,
               a.x1 + (b.x1 - a.x1) * share, a.y1 + (b.y1 - a.y1) * share)
