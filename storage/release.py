"""The camera's end of an offload: say what it holds, and delete only what the station has receipted.

Nothing leaves the camera except through a receipt signed by the station key installed at enrolment,
naming this camera's key, and whose hash for every file of a recording is the hash of the bytes the
camera wrote: the hash the next segment's header names (signed with this camera's own key when it was
written), or, for a last segment and any other, the file's hash now. A recording being recorded is
never released, whatever a receipt says. A recording the receipt says the station refused
is set aside, whole, into ``recordings/.refused-by-station/``: kept on the card for a person, no longer
offered at every docking.
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from storage.durable import fsync_dir
from storage.keys import key_id, load_device_public, load_station_public
from storage.marker import read_marker
from storage.receipt import open_receipt
from storage.segment_format import FileStamp, file_stamp, hash_file
from storage.segment_reader import signed_header

HASHING_THREADS = os.cpu_count() or 1
"""BLAKE2b releases the GIL: one file per core at a time."""
REFUSED_DIR = ".refused-by-station"
"""Beside the recordings, in their folder (which the offload user may write): not a recording id, so
neither the manifest nor the station's rsync takes it."""


class FileHashes:
    """Hashes of the camera's finished segment files, made while the station is still pulling them.

    A file is hashed again at release unless its ``file_stamp`` is what it was while it was hashed.
    """

    def __init__(self) -> None:
        self._known: dict[Path, tuple[FileStamp, str]] = {}

    def _hash_stable(self, path: Path) -> None:
        try:
            before = file_stamp(path)
            digest = hash_file(path)
            if file_stamp(path) == before:
                self._known[path] = (before, digest)
        except OSError:
            pass  # gone or unreadable: hashed (or refused) at release

    def prepare(self, paths: list[Path]) -> None:
        with ThreadPoolExecutor(max_workers=HASHING_THREADS) as pool:
            list(pool.map(self._hash_stable, paths))

    def hash(self, path: Path) -> str:
        known = self._known.get(path)
        return known[1] if known is not None and known[0] == file_stamp(path) else hash_file(path)


@dataclass
class Settled:
    """The camera's answer to a receipt, printed as one JSON line for the station."""

    released: list[str] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)


def release(data_dir: Path, signed_receipt: object, hashes: FileHashes | None = None) -> Settled:
    """Delete the recordings the receipt covers whose files are exactly the receipted ones, byte for byte;
    set aside the ones it refuses."""
    known = hashes or FileHashes()
    keys = data_dir / "keys"
    device_key = load_device_public(keys / "device.pub")
    device_key_id = key_id(device_key)
    receipt = open_receipt(signed_receipt, load_station_public(keys / "station.pub"), device_key_id)
    in_progress = read_marker(data_dir)
    writing = in_progress.recording if in_progress is not None else None
    recordings = data_dir / "recordings"
    settled = Settled()
    for recording, receipted_files in sorted(receipt.recordings.items()):
        directory = recordings / recording
        if recording == writing or directory.is_symlink() or not directory.is_dir():
            continue
        entries = list(directory.iterdir())
        if {e.name for e in entries} != set(receipted_files) or any(e.is_symlink() or not e.is_file() for e in entries):
            continue  # the receipt must cover exactly the files here, all regular
        written = written_hashes(directory, device_key)
        unknown = sorted(name for name, digest in receipted_files.items() if written.get(name) != digest)
        with ThreadPoolExecutor(max_workers=HASHING_THREADS) as pool:
            actual = dict(zip(unknown, pool.map(known.hash, (directory / name for name in unknown)), strict=True))
        if any(actual[name] != receipted_files[name] for name in unknown):
            continue  # changed since the station received it: the station does not hold these bytes
        for name in receipted_files:
            (directory / name).unlink()
        directory.rmdir()
        settled.released.append(recording)
    for recording in sorted(receipt.refused - {writing}):
        if _set_aside(recordings, recording):
            settled.set_aside.append(recording)
    if settled.released or settled.set_aside:
        fsync_dir(recordings)
    return settled


def written_hashes(directory: Path, device_key: ed25519.Ed25519PublicKey) -> dict[str, str]:
    """Segment file name → the hash it had when the camera wrote it, as the next segment's header names it
    (``prev_segment_hash``), for every segment followed by one whose header verifies with the camera's own
    key: the station's receipt for those bytes is checked without reading the file again."""
    written = {}
    for path in sorted(directory.glob("seg-*.bcs")):
        header = signed_header(path, device_key)
        sequence = header.get("sequence") if header is not None else None
        if header is None or header.get("recording_id") != directory.name or not isinstance(sequence, int) \
                or sequence < 1 or path.name != f"seg-{sequence:06d}.bcs":
            continue
        previous = header.get("prev_segment_hash")
        if isinstance(previous, str):
            written[f"seg-{sequence - 1:06d}.bcs"] = previous
    return written


def last_segments(directories: list[Path]) -> list[Path]:
    """The file of each recording no later header names the hash of: what the camera hashes itself."""
    return [max(files) for directory in directories if (files := sorted(directory.glob("seg-*.bcs")))]


def _set_aside(recordings: Path, recording: str) -> bool:
    directory, aside = recordings / recording, recordings / REFUSED_DIR / recording
    if directory.is_symlink() or not directory.is_dir() or aside.exists():
        return False
    aside.parent.mkdir(exist_ok=True)
    os.rename(directory, aside)
    fsync_dir(aside.parent)
    return True
