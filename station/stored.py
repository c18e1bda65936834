"""A stored recording verified again before anything of it is decrypted (playback, export, hand-over):
with the key the registry holds, never one the files name, and lost keys refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from station.registry import RegistryError, public_key, refuse_lost, trusted_keys
from station.store import Store
from storage.export import ExportError, exportable
from storage.keys import KeyFileError
from storage.report import RecordingReport
from storage.segment_reader import DecryptError, SegmentError
from storage.verify import verify_tree

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from station.models import Recording

PROBLEMS = (KeyFileError, ExportError, SegmentError, DecryptError, RegistryError, OSError)
"""What ends an export (for playback, download or hand-over) with a message, not a server error: a
key that cannot be read, a copy that does not verify or decrypt, a full disk."""


@dataclass(frozen=True)
class Source:
    """What verifying needs from the database, read in the request's thread (an export may run in
    another): the stored folder, the registered key and the lost keys."""

    ref: str
    directory: Path
    key_id: str
    key: ed25519.Ed25519PublicKey
    lost: dict[str, datetime]


def source(store: Store, recording: Recording) -> Source:
    return Source(recording.ref, store.recording_dir(recording.device.key_id, recording.recording_id),
                  recording.device.key_id, public_key(recording.device.public_key), trusted_keys(store)[1])


def verified(source: Source) -> RecordingReport:
    """The stored copy verified again; ExportError (or a verify error) if it cannot be exported whole."""
    tree = verify_tree(source.directory, {source.key_id: source.key}, at_store=True)
    refuse_lost(tree.recordings, source.lost)
    if not tree.recordings:
        raise ExportError(f"recording {source.ref}: its files are not in the store")
    exportable(tree.recordings[0])
    return tree.recordings[0]
