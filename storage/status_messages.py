"""The cameras' messages to the control room over MQTT: topics and kinds, defined once for the camera that
sends them (firmware.control_room) and the station that reads them (station.control_room, its broker's
ACL). What each message carries is in docs/operations.md."""

from __future__ import annotations

TOPIC_ROOT = "bodycam"
ALERT_KINDS = ("recording-started", "marker", "storage-error", "hardware-fault", "storage-full", "battery-critical",
               "camera-fault")
"""Kept before status messages when the camera's queue is full."""
STATUS_KINDS = ("online", "stage", "recording-stopped", "stopping", "battery-low")
KINDS = frozenset(ALERT_KINDS + STATUS_KINDS)
WARNING_KINDS = ("battery-low", "battery-critical", "storage-full", "storage-error", "hardware-fault", "camera-fault")
"""What the control room's page shows as a camera's last warning: it may need help or a replacement."""


CERTIFICATE, KEY, CA = "mqtt.pem", "mqtt.key", "mqtt-ca.pem"
"""The camera's broker files in its keys folder, as ``bodycam station broker-certificate`` writes them
and ``bodycam deploy --control-room`` installs them."""


def event_topic(camera: str) -> str:
    """Each message of ``camera`` (``+``: every camera's, for a subscription)."""
    return f"{TOPIC_ROOT}/{camera}/event"


def online_topic(camera: str) -> str:
    """Whether ``camera`` is connected: retained, and the broker's last will for it."""
    return f"{TOPIC_ROOT}/{camera}/online"
