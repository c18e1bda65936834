"""Every path the station writes or deletes is resolved and checked to stay inside the store."""

from __future__ import annotations

import os
from pathlib import Path


class PathEscapeError(ValueError):
    """A path built from outside input would leave the store, or is not a plain file or folder."""


def inside(root: Path, *parts: str) -> Path:
    """``root/parts…``, resolved, and refused unless it stays below ``root`` (no ``..``, no links out)."""
    base = root.resolve()
    path = base.joinpath(*parts).resolve()
    if path == base or not path.is_relative_to(base):
        raise PathEscapeError(f"{'/'.join(parts)!r} leaves {base}")
    return path


def irregular_entries(directory: Path) -> list[tuple[Path, str]]:
    """What in ``directory`` is not a regular file or folder (links, devices, sockets…), and why."""
    found = []
    for folder, subfolders, files in os.walk(directory, followlinks=False):
        for name in subfolders + files:
            path = Path(folder) / name
            if path.is_symlink():
                found.append((path, "a link"))
            elif not (path.is_file() or path.is_dir()):
                found.append((path, "not a regular file"))
    return found
