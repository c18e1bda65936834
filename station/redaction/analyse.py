"""The faces of a video, followed across frames: the detector runs on every ``every``-th frame at
``DETECT_WIDTH`` pixels' width, and the tracker carries each face over the frames between."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from station.redaction.detector import FaceDetector
from station.redaction.tracks import Track, Tracker

DETECT_WIDTH = 576
EVERY = 3
"""The detector's frames: every third, at 576 pixels' width (a face in 720p keeps about half its size):
the detector then costs under three times what decoding and encoding the video cost (docs/performance.md).
A face is followed over the frames between (``tracks``)."""

Progress = Callable[[int, int], None]
"""Called with the frames done and the frames in all (0 when the file does not say)."""


@dataclass(frozen=True)
class Analysis:
    tracks: list[Track]
    frames: int
    width: int
    height: int
    fps: float
    start_s: float
    """The first frame's time: the review page finds a frame's number from the player's time."""


def analyse(video: Path, detector: FaceDetector, progress: Progress = lambda done, total: None,
            every: int = EVERY, detect_width: int = DETECT_WIDTH) -> Analysis:
    import av

    tracker = Tracker()
    frames, start_s = 0, 0.0
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        width, height = stream.codec_context.width, stream.codec_context.height
        scale = width / min(width, detect_width)
        small = (round(width / scale) // 2 * 2, round(height / scale) // 2 * 2)
        total = stream.frames
        fps = float(stream.average_rate or 30)
        for frame in container.decode(stream):
            if frames == 0 and frame.pts is not None and frame.time_base is not None:
                start_s = float(frame.pts * frame.time_base)
            if frames % every == 0:
                picture = frame.to_ndarray(format="rgb24", width=small[0], height=small[1])
                tracker.add(frames, detector(picture, scale))
            frames += 1
            if frames % 30 == 0:
                progress(frames, total)
    progress(frames, frames)
    return Analysis(tracker.tracks, frames, width, height, fps, start_s)
