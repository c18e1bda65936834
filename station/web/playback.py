"""The verified MP4 an approved viewer plays: exported on the station into a private folder when the
window opens, served with byte ranges (so the player can seek to a marker), removed when it closes."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from station.registry import public_key, refuse_lost, trusted_keys
from station.store import Store
from storage.export import ExportError, export_recording
from storage.verify import verify_tree

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import x25519

    from station.models import Recording, ViewRequest

RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 1 << 20


def private_dir(store: Store) -> Path:
    path = store.root / "private" / "playback"
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    return path


def playback_path(store: Store, grant: ViewRequest) -> Path:
    return private_dir(store) / f"{grant.pk}.mp4"


def playback_file(store: Store, grant: ViewRequest, agency: x25519.X25519PrivateKey) -> Path:
    """The decrypted MP4 for one viewing window (made once per window)."""
    path = playback_path(store, grant)
    if not path.exists():
        export_verified(store, grant.recording, agency, path)
        os.chmod(path, 0o600)
    return path


def export_verified(store: Store, recording: Recording, agency: x25519.X25519PrivateKey, out: Path) -> None:
    """Verify the stored copy again (keys from the registry, lost keys refused) and export it."""
    directory = store.recording_dir(recording.device.key_id, recording.recording_id)
    tree = verify_tree(directory, {recording.device.key_id: public_key(recording.device.public_key)}, at_store=True)
    refuse_lost(tree.recordings, trusted_keys(store)[1])
    if not tree.recordings:
        raise ExportError(f"recording {recording.ref}: its files are not in the store")
    export_recording(tree.recordings[0], agency, out)


def sweep(store: Store, at: datetime) -> list[Path]:
    """Remove the MP4 of every window that has closed (or whose request no longer grants it)."""
    from station.models import ViewRequest

    folder = store.root / "private" / "playback"
    removed = []
    for path in folder.glob("*.mp4") if folder.is_dir() else []:  # export-*.mp4 too: a crashed export's rest
        grant = store.db.query(ViewRequest).filter(pk=int(path.stem) if path.stem.isdigit() else -1).first()
        if grant is None or grant.status != ViewRequest.APPROVED or grant.window_until is None \
                or grant.window_until <= at:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def ranged_response(request: HttpRequest, path: Path, content_type: str) -> HttpResponseBase:
    """The file, or the one byte range the browser asked for (RFC 9110 single range)."""
    size = path.stat().st_size
    match = RANGE.match(request.headers.get("Range", ""))
    if match is None or (not match.group(1) and not match.group(2)):
        response: HttpResponseBase = FileResponse(path.open("rb"), content_type=content_type)
        response["Accept-Ranges"] = "bytes"
        return response
    first, last = match.groups()
    start = int(first) if first else max(0, size - int(last))
    end = min(int(last), size - 1) if first and last else size - 1
    if start >= size or start > end:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    response = StreamingHttpResponse(_read(path, start, end - start + 1), status=206, content_type=content_type)
    response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Content-Length"] = str(end - start + 1)
    response["Accept-Ranges"] = "bytes"
    return response


def _read(path: Path, start: int, length: int):
    with path.open("rb") as f:
        f.seek(start)
        while length > 0 and (block := f.read(min(CHUNK, length))):
            length -= len(block)
            yield block
