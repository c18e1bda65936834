"""The forms of the identifiers a camera hands out. Anything that arrives from a camera is checked
against these before it becomes a path, a key or a decision (the station), and anything in a receipt
from the station before it names a file to delete (the camera)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

from bodycam.errors import BodycamError

RECORDING_ID = re.compile(r"^\d{8}T\d{6}Z-([0-9a-f]{8})(-[1-9]\d{0,5})?$")
DEVICE_KEY_ID = re.compile(r"^[0-9a-f]{16}$")
SEGMENT_FILE = re.compile(r"^seg-\d{6}\.bcs$")
FILE_HASH = re.compile(r"^[0-9a-f]{64}$")
AUDIT_FILE = re.compile(r"^\d{8}T\d{6}(\d{3})?Z(-[1-9]\d{0,5})?\.jsonl$")


def raw_key_id(raw: bytes) -> str:
    """A key id: the first 8 bytes of SHA-256 over a public key's raw bytes, in hex."""
    return hashlib.sha256(raw).hexdigest()[:16]


class IdentifierError(BodycamError, ValueError):
    """An identifier from the other side does not have its documented form."""


def parse_utc(value: object) -> datetime | None:
    """A camera's ISO 8601 UTC time (``…Z`` or with an offset); None when it is not one."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def pts_utc(header: dict[str, object], pts_us: int) -> str | None:
    """A device time (µs, the segments' clock) as UTC, by the mapping a segment header gives."""
    started = parse_utc(header.get("started_utc"))
    start_pts = header.get("start_pts_us")
    if started is None or not isinstance(start_pts, int):
        return None
    moment = started + timedelta(microseconds=pts_us - start_pts)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_device_key_id(value: object) -> str:
    if not isinstance(value, str) or not DEVICE_KEY_ID.match(value):
        raise IdentifierError(f"device key id {value!r}: not 16 hex digits")
    return value


def check_recording_id(value: object, device_key_id: str) -> str:
    """A recording id names its start and the first 8 hex digits of the key that signs it."""
    match = RECORDING_ID.match(value) if isinstance(value, str) else None
    if match is None:
        raise IdentifierError(f"recording id {value!r}: not of the form YYYYMMDDTHHMMSSZ-<key>[-n]")
    if match.group(1) != device_key_id[:8]:
        raise IdentifierError(f"recording id {value}: does not belong to device key {device_key_id}")
    return str(value)


def check_segment_file(value: object) -> str:
    if not isinstance(value, str) or not SEGMENT_FILE.match(value):
        raise IdentifierError(f"segment file name {value!r}: not seg-NNNNNN.bcs")
    return value


def check_file_hash(value: object) -> str:
    if not isinstance(value, str) or not FILE_HASH.match(value):
        raise IdentifierError(f"file hash {value!r}: not 64 hex digits")
    return value


def check_audit_file(value: object) -> str:
    if not isinstance(value, str) or not AUDIT_FILE.match(value):
        raise IdentifierError(f"audit file name {value!r}: not <utc>.jsonl")
    return value
