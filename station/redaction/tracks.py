"""Faces followed across frames: each detection joins the track whose last box it overlaps most, or
starts one. A track covers the frames between two of its sightings (the box moving from one to the
next) and ``HOLD_FRAMES`` before its first and after its last, so a face the detector misses for a
few frames, or sees a little late, stays covered. Beyond a sighting the box covers both where the face
was and where it would be had it gone on as between its last two sightings: it may stop or go on."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from station.redaction.boxes import Box, between, overlap, union

SAME_FACE = 0.2
"""The least overlap of a detection with a track's last box for it to be the same face."""
HOLD_FRAMES = 15
"""How long a track lasts without a sighting (half a second at 30 fps): longer, and it ends."""


@dataclass
class Track:
    number: int
    frames: list[int] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)

    @property
    def first(self) -> int:
        return self.frames[0]

    @property
    def last(self) -> int:
        return self.frames[-1]

    def at(self, frame: int, hold: int = HOLD_FRAMES) -> Box | None:
        """The track's box in ``frame``, or None when it does not cover that frame."""
        if not self.frames or frame < self.first - hold or frame > self.last + hold:
            return None
        index = bisect_left(self.frames, frame)  # a sighting's own frame falls between it and the one before
        if index == 0:
            return self._beyond(0, 1, frame)
        if index == len(self.frames):
            return self._beyond(index - 1, index - 2, frame)
        before, after = self.frames[index - 1], self.frames[index]
        if after - before > 2 * hold:  # lost in between: each end held, nothing guessed across the gap
            if frame - before <= hold:
                return self._beyond(index - 1, index - 2, frame)
            return self._beyond(index, index + 1, frame) if after - frame <= hold else None
        return between(self.boxes[index - 1], self.boxes[index], (frame - before) / (after - before))


    def _beyond(self, sighting: int, neighbour: int, frame: int) -> Box:
        """Beyond sighting ``sighting``: its box, and where the face would be at ``frame`` had it moved on as
        it moved between ``neighbour`` and ``sighting`` (when there is such a neighbour)."""
        held = self.boxes[sighting]
        if not 0 <= neighbour < len(self.frames):
            return held
        step = (frame - self.frames[sighting]) / (self.frames[sighting] - self.frames[neighbour])
        return union(held, between(held, self.boxes[neighbour], -step))


class Tracker:
    """Feed it each analysed frame's detections in order; ``tracks`` are the faces followed."""

    def __init__(self, hold: int = HOLD_FRAMES) -> None:
        self.hold = hold
        self.tracks: list[Track] = []

    def add(self, frame: int, found: list[Box]) -> None:
        live = [t for t in self.tracks if frame - t.last <= self.hold]
        pairs = sorted(((overlap(t.boxes[-1], box), n, i) for n, t in enumerate(live) for i, box in enumerate(found)),
                       reverse=True)
        taken_tracks: set[int] = set()
        taken_boxes: set[int] = set()
        for score, n, i in pairs:
            if score < SAME_FACE:
                break
            if n in taken_tracks or i in taken_boxes:
                continue
            taken_tracks.add(n)
            taken_boxes.add(i)
            live[n].frames.append(frame)
            live[n].boxes.append(found[i])
        for i, box in enumerate(found):
            if i not in taken_boxes:
                self.tracks.append(Track(len(self.tracks) + 1, [frame], [box]))
