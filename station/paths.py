"""Where the station keeps its store and finds a camera's files, and the check that every path it writes or
deletes stays inside the store."""

from __future__ import annotations

import os
from pathlib import Path

from bodycam.errors import BodycamError

DEFAULT_STORE = Path(os.environ.get("BODYCAM_STORE", "/var/lib/bodycam-station"))
CAMERA_DATA = "/var/lib/bodycam"
"""The camera's data folder, as the camera's installer sets it up."""
CAMERA_BODYCAM = "/opt/bodycam/current/venv/bin/bodycam"
"""The camera's ``bodycam`` command, in the release the camera runs now."""


class PathEscapeError(BodycamError, ValueError):
    """A path built from outside input would leave the store, or is not a plain file or folder."""


WEB_SECRET = Path("keys", "web-secret")
"""Where in a store the secret that signs the web application's sessions and CSRF tokens lies."""


def web_secret(root: Path) -> str:
    """The store's web secret: one per store, made by the store (``Store.open``), readable by the station
    only; empty while the store has none."""
    path = root / WEB_SECRET
    return path.read_text().strip() if path.is_file() else ""


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
