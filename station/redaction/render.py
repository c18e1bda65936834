"""The derivative: every frame with the plan's boxes made unrecognisable (or filled black), whole frames
where the plan says, encoded again as H.264; the sound copied as it is, or decoded and encoded again with
the muted ranges silent. Pixels outside the boxes are the decoded ones, untouched: only the encoder's
noise differs. Written to a hidden partial file and renamed when complete, so nothing half-written is
ever a derivative."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from station.redaction.plan import Plan
from station.redaction.tracks import Track

CRF = "18"
"""Visually lossless for the parts left: the derivative is evidence of what the camera saw."""
PRESET = "veryfast"
BLOCKS = 6
"""A box is reduced to this many blocks across before it is blurred: no feature of a face survives."""


@dataclass(frozen=True)
class Rendered:
    path: Path
    sha256: str
    frames: int
    covered_frames: int
    """Frames in which at least one box (or the whole frame) was made unrecognisable."""


def render(source: Path, tracks: list[Track], plan: Plan, out: Path,
           progress: Callable[[int, int], None] = lambda done, total: None, threads: int = 1,
           provenance: dict[str, object] | None = None) -> Rendered:
    """``provenance`` goes into the MP4's comment as JSON: where the copy came from, so the file says it."""
    import av

    partial = out.with_name(f".{out.name}.partial")
    frames = covered = 0
    try:
        with av.open(str(source)) as source_file, \
                av.open(str(partial), "w", format="mp4", options={"movflags": "faststart"}) as target:
            if provenance is not None:
                target.metadata["comment"] = json.dumps(provenance, ensure_ascii=False, sort_keys=True)
            video_in = source_file.streams.video[0]
            video_in.thread_type = "AUTO"
            audio_in = source_file.streams.audio[0] if source_file.streams.audio else None
            video_out = target.add_stream("libx264", rate=video_in.average_rate or 30,
                                          options={"crf": CRF, "preset": PRESET})
            video_out.width, video_out.height = video_in.codec_context.width, video_in.codec_context.height
            video_out.pix_fmt, video_out.time_base = "yuv420p", video_in.time_base
            video_out.codec_context.thread_count = threads
            muting = audio_in is not None and (plan.mute_all or bool(plan.muted))
            audio_out = None
            if audio_in is not None:
                audio_out = target.add_stream("aac", rate=audio_in.rate, layout=audio_in.layout.name) if muting \
                    else target.add_stream_from_template(audio_in)
            total = video_in.frames
            for packet in source_file.demux(*(s for s in (video_in, audio_in) if s is not None)):
                if packet.stream is video_in:
                    for frame in packet.decode():
                        changed = _cover(frame, tracks, plan, frames)
                        covered += changed is not frame
                        target.mux(video_out.encode(changed))
                        frames += 1
                        if frames % 30 == 0:
                            progress(frames, total)
                elif audio_out is not None and packet.dts is not None:
                    if muting:
                        for sound in packet.decode():
                            target.mux(audio_out.encode(_silenced(sound, plan)))
                    else:
                        packet.stream = audio_out
                        target.mux(packet)
            target.mux(video_out.encode(None))
            if muting and audio_out is not None:
                target.mux(audio_out.encode(None))
        digest = _sha256(partial)
        os.replace(partial, out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    progress(frames, frames)
    return Rendered(out, digest, frames, covered)


def _cover(frame: Any, tracks: list[Track], plan: Plan, index: int) -> Any:
    """``frame`` itself when nothing in it is covered, else a new frame with the boxes made unrecognisable."""
    import av

    t = float(frame.pts * frame.time_base) if frame.pts is not None else 0.0
    width, height = frame.width, frame.height
    whole = plan.whole_frame(t)
    boxes = [] if whole else [b.pixels(width, height) for b in plan.covers(tracks, index, t)]
    boxes = [(x0, y0, x1, y1) for x0, y0, x1, y1 in boxes if x1 > x0 and y1 > y0]
    if not whole and not boxes:
        return frame
    if whole:
        boxes = [(0, 0, width, height)]
    if height % 4 or width % 2:  # not the planes' packed layout below: through RGB
        picture = frame.to_ndarray(format="rgb24")
        for x0, y0, x1, y1 in boxes:
            picture[y0:y1, x0:x1] = _obscured(picture[y0:y1, x0:x1], plan.style)
        changed = av.VideoFrame.from_ndarray(picture, format="rgb24")
    else:
        planes = frame.to_ndarray(format="yuv420p")  # Y, then U and V at half size, each packed in rows of width
        luma = planes[:height]
        chroma = [planes[height + i * height // 4:height + (i + 1) * height // 4].reshape(height // 2, width // 2)
                  for i in (0, 1)]
        for x0, y0, x1, y1 in boxes:
            luma[y0:y1, x0:x1] = _obscured(luma[y0:y1, x0:x1], plan.style, black=16)
            for plane in chroma:
                cx0, cy0, cx1, cy1 = x0 // 2, y0 // 2, (x1 + 1) // 2, (y1 + 1) // 2
                plane[cy0:cy1, cx0:cx1] = _obscured(plane[cy0:cy1, cx0:cx1], plan.style, black=128)
        changed = av.VideoFrame.from_ndarray(planes, format="yuv420p")
    changed.pts, changed.time_base = frame.pts, frame.time_base
    return changed


def _obscured(region: Any, style: str, black: int = 0) -> Any:
    """``region`` with nothing recognisable left: reduced to ``BLOCKS`` blocks across, enlarged and
    blurred so no block edge remains; or filled with ``black``."""
    import cv2

    height, width = region.shape[:2]
    if style == "box":
        return black
    across = max(1, min(BLOCKS, width))
    down = max(1, min(height, round(BLOCKS * height / width)))
    coarse = cv2.resize(region, (across, down), interpolation=cv2.INTER_AREA)
    smooth = cv2.resize(coarse, (width, height), interpolation=cv2.INTER_LINEAR)
    return cv2.GaussianBlur(smooth, (0, 0), sigmaX=max(1.0, width / (2 * BLOCKS)))


def _silenced(sound: Any, plan: Plan) -> Any:
    """``sound`` with the samples in a muted range (or all) set to silence."""
    import av
    import numpy as np

    samples = sound.to_ndarray()
    start = float(sound.pts * sound.time_base) if sound.pts is not None else 0.0
    times = start + np.arange(samples.shape[-1]) / sound.sample_rate
    silent = np.ones(times.shape, bool) if plan.mute_all else np.zeros(times.shape, bool)
    for span in plan.muted:
        silent |= (times >= span.start_s) & (times <= span.end_s)
    samples[..., silent] = 0
    quiet = av.AudioFrame.from_ndarray(samples, format=sound.format.name, layout=sound.layout.name)
    quiet.sample_rate, quiet.pts, quiet.time_base = sound.sample_rate, sound.pts, sound.time_base
    return quiet


def _sha256(path: Path) -> str:
    with path.open("rb") as file:
        return hashlib.file_digest(file, "sha256").hexdigest()
