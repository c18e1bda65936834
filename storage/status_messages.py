"""The cameras' messages to the control room over MQTT: topics and kinds, defined once for the camera that
sends them (firmware.control_room) and the station that reads them (station.control_room, its broker's
ACL). What each message carries is in docs/operations.md."""

from __future__ import annotations

TOPIC_ROOT = "bodycam"
ALERT_KINDS = ("recording-started", "marker", "storage-error", "hardware-fault")
"""Kept before status messages when the camera's queue is full."""
STATUS_KINDS = ("online", "stage", "recording-stopped", "stopping")
KINDS = frozenset(ALERT_KINDS + STATUS_KINDS)


def event_topic(camera: str) -> str:
    """Each message of ``camera`` (``+``: every camera's, for a subscription)."""
    return f"{TOPIC_ROOT}/{camera}/event"


def online_topic(camera: str) -> str:
    """Whether ``camera`` is connected: retained, and the broker's last will for it."""
    return f"{TOPIC_ROOT}/{camera}/online"
