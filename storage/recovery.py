"""After a crash or power cut: what was being recorded, and closing the segments it left open.

While recording, ``recording.json`` in the data dir names the recording and the boot it started in
(storage/marker.py); it is removed when the recording stops. Finding it at start-up means the firmware
died while recording. Segments left without a trailer are then finalised: cut back to their last complete frame
and closed with a signed trailer that says ``interrupted``, so every recording on the card is complete
and the interruption is part of the evidence.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from storage.canonical import canonical_json
from storage.durable import remove
from storage.segment_format import FRAME_HEAD, KIND_TRAILER, file_hasher
from storage.segment_reader import SegmentCut, SegmentError, read_segment


@dataclass(frozen=True)
class Recovery:
    finalised: list[Path]
    """Segments closed with an ``interrupted`` trailer."""
    removed: list[Path]
    """Last files of a recording cut before their header was complete: nothing in them was signed."""


def finalise_interrupted(recordings_dir: Path, signing_key: ed25519.Ed25519PrivateKey) -> Recovery:
    """Close every segment left without a trailer, and remove a recording's last file when the cut came
    before its header was complete (a roll the power cut interrupted)."""
    finalised, removed = [], []
    for path in sorted(recordings_dir.glob("*/seg-*.bcs")) if recordings_dir.is_dir() else []:
        try:
            segment = read_segment(path)
        except SegmentCut:
            if path == max(path.parent.glob("seg-*.bcs")):
                remove(path)
                removed.append(path)
            continue
        except SegmentError:
            continue  # verify reports it
        if segment.trailer is not None or segment.damage is not None:
            continue
        keep = segment.truncated_at if segment.truncated_at is not None else path.stat().st_size
        data = path.read_bytes()[:keep]
        hasher = file_hasher()
        hasher.update(data)
        trailer = canonical_json({"final": True, "stop_reason": "interrupted", "interrupted": True,
                                  "chunks": segment.chunk_count, "packets": None, "first_pts_us": None,
                                  "last_pts_us": None, "markers": []})
        frame = FRAME_HEAD.pack(KIND_TRAILER, len(trailer)) + trailer
        hasher.update(frame)
        with open(path, "r+b") as f:
            f.truncate(keep)
            f.seek(keep)
            f.write(frame + signing_key.sign(hasher.digest()))
            f.flush()
            os.fsync(f.fileno())
        finalised.append(path)
    return Recovery(finalised, removed)
