"""Making a new or removed directory entry durable: a file that was written but is not listed is lost."""

from __future__ import annotations

import os
from pathlib import Path


def fsync_dir(path: Path) -> None:
    """Make a new directory entry durable (a segment file that exists but is not listed is lost)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove(path: Path) -> None:
    """Remove a file and make its removal durable (a power cut must not bring it back)."""
    path.unlink(missing_ok=True)
    fsync_dir(path.parent)
