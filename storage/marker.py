"""The marker of a recording in progress: ``recording.json`` in the data dir names the recording and the
boot it started in while it is being recorded, and is removed when it stops. Standard library only: the
offload session reads it before it loads anything else (storage/manifest.py)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

MARKER = "recording.json"


@dataclass(frozen=True)
class InterruptedRecording:
    recording: str
    boot_id: str


def write_marker(data_dir: Path, recording: str, boot_id: str) -> None:
    """Atomically record that ``recording`` is in progress in boot ``boot_id``."""
    path = data_dir / MARKER
    temporary = path.with_suffix(".tmp")
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump({"recording": recording, "boot_id": boot_id}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def clear_marker(data_dir: Path) -> None:
    (data_dir / MARKER).unlink(missing_ok=True)


def read_marker(data_dir: Path) -> InterruptedRecording | None:
    try:
        marker = json.loads((data_dir / MARKER).read_text(encoding="utf-8"))
        return InterruptedRecording(str(marker["recording"]), str(marker["boot_id"]))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, OSError):
        return InterruptedRecording("unknown", "")  # a damaged marker still means: it was recording
