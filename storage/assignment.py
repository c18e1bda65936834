"""The camera's wearer, as the station tells it: a pseudonym signed by the station key, never a name.

The station's assignment record is the authority on who wore a camera (station.attribution); this is
the camera's corroboration. At check-out and check-in the station sends, over the pinned SSH channel::

    {"assignment": body, "sig": base64}
    body = {"version": 1, "station_key_id": "…", "device_key_id": "…", "issued": "…",
            "officer": "<16 hex digits>" or null, "since": "…"}

``officer`` null says the camera is checked in (worn by nobody). The offload gate's assignment session
checks the signature, the addressee and that ``issued`` is later than the assignment the camera holds
(an old message sent again changes nothing), then replaces ``assignment/current.json``; the firmware
checks it again before it writes ``assigned`` or ``unassigned`` into its signed audit log.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from bodycam.errors import BodycamError
from storage.canonical import canonical_json
from storage.durable import fsync_dir
from storage.identifiers import parse_utc
from storage.keys import key_id
from storage.receipt import open_signed
from storage.segment_format import b64

ASSIGNMENT_VERSION = 1
PSEUDONYM = re.compile(r"^[0-9a-f]{16}$")
FOLDER, CURRENT = "assignment", "current.json"
MAX_BYTES = 4096
"""Longer than any assignment (about 400 bytes): a longer line or file is refused unread."""


class AssignmentError(BodycamError, ValueError):
    """An assignment not signed by this camera's station, not for this camera, older than the one held,
    or malformed."""


@dataclass(frozen=True)
class CameraAssignment:
    """An assignment opened by the camera: every member checked."""

    officer: str | None
    """The wearer's pseudonym; None when the camera is checked in."""
    since: str
    """When the station recorded the check-out or check-in (UTC, ISO 8601)."""
    issued: str
    """When the station signed it: a later assignment replaces an earlier one, never the other way."""


def sign_assignment(officer: str | None, since: str, device_key_id: str, station_key: ed25519.Ed25519PrivateKey,
                    issued: str) -> dict[str, object]:
    body: dict[str, object] = {"version": ASSIGNMENT_VERSION, "station_key_id": key_id(station_key.public_key()),
                               "device_key_id": device_key_id, "issued": issued, "officer": officer, "since": since}
    return {"assignment": body, "sig": b64(station_key.sign(canonical_json(body)))}


def open_assignment(signed: object, station_key: ed25519.Ed25519PublicKey, device_key_id: str) -> CameraAssignment:
    body = open_signed(signed, "assignment", station_key, AssignmentError)
    if body.get("version") != ASSIGNMENT_VERSION:
        raise AssignmentError(f"assignment version {body.get('version')!r} not supported")
    if body.get("device_key_id") != device_key_id:
        raise AssignmentError(f"assignment is for device key {str(body.get('device_key_id'))[:40]!r}, "
                              f"this camera is {device_key_id}")
    officer = body.get("officer")
    if officer is not None and not (isinstance(officer, str) and PSEUDONYM.match(officer)):
        raise AssignmentError(f"assignment: officer {str(officer)[:40]!r} is not a pseudonym (16 hex digits)")
    for member in ("since", "issued"):
        if parse_utc(body.get(member)) is None:
            raise AssignmentError(f"assignment: {member} {str(body.get(member))[:40]!r} is not a UTC time")
    return CameraAssignment(officer, str(body["since"]), str(body["issued"]))


def current_path(data_dir: Path) -> Path:
    return data_dir / FOLDER / CURRENT


def read_current(data_dir: Path, station_key: ed25519.Ed25519PublicKey, device_key_id: str) -> CameraAssignment | None:
    """The assignment the camera holds, checked again; None when it holds none. AssignmentError when the
    file is not one the station signed for this camera."""
    path = current_path(data_dir)
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AssignmentError(f"{path}: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise AssignmentError(f"{path}: longer than {MAX_BYTES} bytes")
    try:
        signed = json.loads(data)
    except ValueError:
        raise AssignmentError(f"{path}: not JSON") from None
    return open_assignment(signed, station_key, device_key_id)


def replace_current(data_dir: Path, line: str, station_key: ed25519.Ed25519PublicKey,
                    device_key_id: str) -> CameraAssignment:
    """Take the station's signed ``line`` as the camera's assignment, durably, if it is valid and newer."""
    if len(line) > MAX_BYTES:
        raise AssignmentError(f"an assignment of {len(line)} characters (at most {MAX_BYTES})")
    try:
        signed = json.loads(line)
    except ValueError:
        raise AssignmentError("the assignment is not JSON") from None
    new = open_assignment(signed, station_key, device_key_id)
    try:
        held = read_current(data_dir, station_key, device_key_id)
    except AssignmentError:
        held = None  # a damaged file is replaced by a valid assignment
    issued, held_issued = parse_utc(new.issued), parse_utc(held.issued) if held else None
    if held_issued is not None and issued is not None and issued <= held_issued:
        raise AssignmentError(f"assignment issued {new.issued} is not newer than the one the camera holds "
                              f"({held.issued if held else ''}): sent again, or from a station clock behind")
    path = current_path(data_dir)
    if not path.parent.is_dir():
        raise AssignmentError(f"{path.parent} is missing: the camera's firmware makes it at its start (or "
                              "deploy the camera again)")
    partial = path.with_name(".current.json.new")
    with partial.open("w", encoding="utf-8") as file:
        file.write(json.dumps(signed, ensure_ascii=False))
        file.flush()
        os.fsync(file.fileno())
    os.replace(partial, path)
    fsync_dir(path.parent)
    return new
