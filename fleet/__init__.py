"""The technician's tools, used at the station: build a signed release, enrol and deploy cameras over
SSH, and the SSH rules the station's offload shares. Never part of the camera's release."""

from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
"""The tree the fleet tools come from: a release is built from it unless --source names another."""
