"""What the camera says it holds when the station docks it: the first line of the offload session.

Standard library only, so that the camera answers before it loads cryptography and the hashing (a
Python start on a Pi Zero 2 W costs about ten times what it does on a laptop); the session loads those
while the station is already pulling.
"""

from __future__ import annotations

import base64
import shutil
from datetime import UTC, datetime
from pathlib import Path

from bodycam.version import installed_version
from storage.identifiers import raw_key_id
from storage.layout import find_recordings
from storage.marker import read_marker
from storage.status import read_status

ED25519_SPKI = bytes.fromhex("302a300506032b6570032100")
"""The DER of an Ed25519 SubjectPublicKeyInfo (RFC 8410) before its 32 raw key bytes."""


def public_key_id(path: Path) -> str:
    """The key id of an Ed25519 public key file (PEM SubjectPublicKeyInfo), read without cryptography
    when it has the one form a camera's key file has; any other form is read by cryptography."""
    text = path.read_text(encoding="ascii", errors="replace")
    lines = text.strip().splitlines()
    if lines and lines[0] == "-----BEGIN PUBLIC KEY-----" and lines[-1] == "-----END PUBLIC KEY-----":
        try:
            der = base64.b64decode("".join(lines[1:-1]), validate=True)
        except ValueError:
            der = b""
        if len(der) == len(ED25519_SPKI) + 32 and der.startswith(ED25519_SPKI):
            return raw_key_id(der[len(ED25519_SPKI):])
    from storage.keys import key_id, load_device_public

    return key_id(load_device_public(path))


def manifest(data_dir: Path) -> dict[str, object]:
    """The camera's key id and its recordings, with the one still being recorded marked unfinished.

    The station takes none of this on faith: it is a hint for what to report as "still recording".
    """
    in_progress = read_marker(data_dir)
    recordings = [
        {"id": d.name, "finished": in_progress is None or in_progress.recording != d.name}
        for d in find_recordings(data_dir)
    ]
    device_key_id = public_key_id(data_dir / "keys" / "device.pub")
    utc = datetime.now(UTC).isoformat(timespec="milliseconds")  # the station measures the camera's clock offset
    disk = shutil.disk_usage(data_dir)
    status = {**read_status(data_dir), "free_bytes": disk.free, "total_bytes": disk.total,
              "firmware_version": installed_version() or ""}
    return {"device_key_id": device_key_id, "recordings": recordings, "utc": utc, "status": status}
