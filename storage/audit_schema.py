"""The audit log's records that a verifier reads, and the members each must carry: one schema for the
firmware that writes them (tests/test_firmware_audit.py), the test vectors (tests/vectors) and the
verifier (storage/crosscheck.py), stated in docs/segment-format.md. Other record types, and other
members, are informative: a verifier reads past them."""

from __future__ import annotations

START, TRANSITION, RECORDING_STARTED, STOP, RECOVERY, MARKER, ASSIGNED, UNASSIGNED = (
    "start", "transition", "recording-started", "recording", "recovery", "marker", "assigned", "unassigned")
COMMON = ("t", "type")
"""Every record: ``t``, the device's monotonic clock in seconds (3 decimals), and its type."""
MEMBERS: dict[str, tuple[str, ...]] = {
    START: ("stage",),
    TRANSITION: ("from", "to", "reason"),
    RECORDING_STARTED: ("recording", "reason"),
    STOP: ("recording", "segments", "video_s", "failed", "stop_reason"),
    RECOVERY: ("recording", "finalised", "removed", "resume"),
    MARKER: ("at",),
    ASSIGNED: ("officer", "since"),
    UNASSIGNED: ("since",),
}


def missing_members(entry: dict[str, object]) -> list[str]:
    """The members a record of a type the verifier reads lacks (none for other types)."""
    kind = entry.get("type")
    needed = (*COMMON, *MEMBERS[kind]) if isinstance(kind, str) and kind in MEMBERS else COMMON
    return [name for name in needed if name not in entry]
