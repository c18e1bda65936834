"""Where a camera's recordings lie in a data dir. Standard library only: the offload session lists them
before it loads anything else (storage/manifest.py)."""

from __future__ import annotations

from pathlib import Path


def find_recordings(root: Path) -> list[Path]:
    """Recording folders under ``root``: a data dir, its ``recordings/`` folder, or one recording."""
    if any(root.glob("*.bcs")):
        return [root]
    base = root / "recordings" if (root / "recordings").is_dir() else root
    return sorted(p for p in base.iterdir() if p.is_dir() and any(p.glob("*.bcs"))) if base.is_dir() else []
