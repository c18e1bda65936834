"""The camera's end of an offload: say what it holds, and delete only what the station has receipted.

Nothing leaves the camera except through a receipt signed by the station key installed at enrolment,
naming this camera's key, and whose hashes every file of a recording still has. A recording being
recorded is never released, whatever a receipt says.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from storage.keys import key_id, load_device_public, load_station_public
from storage.receipt import open_receipt
from storage.recorder import fsync_dir
from storage.recovery import read_marker
from storage.segment_format import hash_file
from storage.verify import find_recordings


def manifest(data_dir: Path) -> dict[str, object]:
    """The camera's key id and its recordings, with the one still being recorded marked unfinished.

    The station takes none of this on faith: it is a hint for what to report as "still recording".
    """
    in_progress = read_marker(data_dir)
    recordings = [
        {"id": d.name, "finished": in_progress is None or in_progress.recording != d.name}
        for d in find_recordings(data_dir)
    ]
    device_key = load_device_public(data_dir / "keys" / "device.pub")
    utc = datetime.now(UTC).isoformat(timespec="milliseconds")  # the station measures the camera's clock offset
    return {"device_key_id": key_id(device_key), "recordings": recordings, "utc": utc}


def release(data_dir: Path, signed_receipt: object) -> list[str]:
    """Delete the recordings the receipt covers whose files are exactly the receipted ones, byte for byte."""
    keys = data_dir / "keys"
    device_key_id = key_id(load_device_public(keys / "device.pub"))
    receipted = open_receipt(signed_receipt, load_station_public(keys / "station.pub"), device_key_id)
    in_progress = read_marker(data_dir)
    recordings = data_dir / "recordings"
    deleted = []
    for recording, hashes in sorted(receipted.items()):
        if in_progress is not None and in_progress.recording == recording:
            continue
        directory = recordings / recording
        if directory.is_symlink() or not directory.is_dir():
            continue
        entries = list(directory.iterdir())
        if {e.name for e in entries} != set(hashes) or any(e.is_symlink() or not e.is_file() for e in entries):
            continue  # the receipt must cover exactly the files here, all regular
        if any(hash_file(directory / name) != digest for name, digest in hashes.items()):
            continue  # changed since the station received it: the station does not hold these bytes
        for name in hashes:
            (directory / name).unlink()
        directory.rmdir()
        deleted.append(recording)
    if deleted:
        fsync_dir(recordings)
    return deleted
