"""The reviewer's decisions for one derivative: which found faces stay visible (the person who asked for
their data), boxes for what no detector finds (a licence plate, a screen, an ID card) that move from one
place to another over a time range, whole frames blurred over a time range, and sound muted."""

from __future__ import annotations

from dataclasses import dataclass

from station.redaction.boxes import Box, between
from station.redaction.tracks import Track

MARGIN = 0.25
"""How much larger than the face found a box is, on each side (of its width and height)."""


@dataclass(frozen=True)
class Span:
    start_s: float
    end_s: float

    def holds(self, t: float) -> bool:
        return self.start_s <= t <= self.end_s


@dataclass(frozen=True)
class ManualBox:
    """Drawn by the reviewer: ``start`` at ``span.start_s``, moving evenly to ``end`` at ``span.end_s``."""

    span: Span
    start: Box
    end: Box

    def at(self, t: float) -> Box | None:
        if not self.span.holds(t):
            return None
        length = self.span.end_s - self.span.start_s
        return between(self.start, self.end, (t - self.span.start_s) / length if length > 0 else 0.0)


@dataclass(frozen=True)
class Plan:
    visible_tracks: frozenset[int] = frozenset()
    manual: tuple[ManualBox, ...] = ()
    whole_frames: tuple[Span, ...] = ()
    muted: tuple[Span, ...] = ()
    mute_all: bool = False
    style: str = "blur"
    """``blur`` or ``box`` (filled black)."""
    margin: float = MARGIN

    def covers(self, tracks: list[Track], frame: int, t: float) -> list[Box]:
        """What is covered in ``frame`` (at ``t`` seconds): the faces not left visible, grown by the
        margin, and the reviewer's boxes at that time."""
        found = [box.grown(self.margin) for track in tracks if track.number not in self.visible_tracks
                 if (box := track.at(frame)) is not None]
        return found + [box for manual in self.manual if (box := manual.at(t)) is not None]

    def whole_frame(self, t: float) -> bool:
        return any(span.holds(t) for span in self.whole_frames)
