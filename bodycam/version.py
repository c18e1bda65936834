"""The installed release's version, as the firmware's health report and the camera's offload manifest
state it."""

from __future__ import annotations

from importlib import metadata


def installed_version() -> str | None:
    """None in a source checkout that was never installed."""
    try:
        return metadata.version("bodycam")
    except metadata.PackageNotFoundError:
        return None
