"""The installed release's version, as the firmware's health report and the camera's offload manifest
state it.

A release carries it in a file of its own (``bodycam release build`` writes it into the wheel): reading it
costs a camera nothing at every docking, where ``importlib.metadata`` costs about 25 ms on a laptop and
ten times that on a Pi Zero 2 W. An installation from this repository asks the package metadata.
"""

from __future__ import annotations

from pathlib import Path

RELEASE_VERSION = "bodycam/release-version.txt"
"""Where a release's version lies, relative to the tree the release is built from."""


def installed_version() -> str | None:
    """None in a source checkout that was never installed."""
    stamped = Path(__file__).with_name(Path(RELEASE_VERSION).name)
    if stamped.is_file():
        return stamped.read_text(encoding="utf-8").strip()
    from importlib import metadata

    try:
        return metadata.version("bodycam")
    except metadata.PackageNotFoundError:
        return None
