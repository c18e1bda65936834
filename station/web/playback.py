"""The verified MP4 an approved viewer plays: exported on the station into a private folder when the
window opens, served with byte ranges (so the player can seek to a marker), removed when it closes.

The export runs in the background: the player page opens at once and plays the fragmented MP4 while
it is still being written (``growing_response``), however long the recording. One export per window,
whichever of the server's workers asked first (a lock file); a failure is kept beside it for the page.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase

from station.store import Store
from station.stored import PROBLEMS, Source, source, verified
from storage.export import export_recording, in_progress
from storage.report import RecordingReport

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import x25519

    from station.models import ViewRequest

RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")
"""One byte range; positions beyond 18 digits (an exabyte) are no range at all: the whole file is sent."""
CHUNK = 1 << 20
STALLED_S = 60.0
"""A growing file that grows no more for this long ends its response (its export died with its worker)."""
POLL_S = 0.1


def private_dir(store: Store) -> Path:
    path = store.root / "private" / "playback"
    path.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    return path


def playback_path(store: Store, grant: ViewRequest) -> Path:
    return private_dir(store) / f"{grant.pk}.mp4"


def export_verified(stored: Source, agency: x25519.X25519PrivateKey, out: Path) -> None:
    export_recording(verified(stored), agency, out)


def failure(path: Path) -> Path:
    return path.with_name(f"{path.name}.failed")


def _lock(path: Path) -> Path:
    return path.with_name(f"{path.name}.lock")


def prepare(store: Store, grant: ViewRequest, agency: x25519.X25519PrivateKey, viewer: str) -> None:
    """Verify the stored copy (a failure is the caller's to show and log), then export it in the
    background, unless the window's MP4 is made or being made; a failure there is a custody line too."""
    path = playback_path(store, grant)
    if path.exists():
        return
    lock = os.open(_lock(path), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(lock)
        return  # another worker's export is running
    try:
        failure(path).unlink(missing_ok=True)
        report = verified(source(store, grant.recording))
    except BaseException:
        os.close(lock)
        raise
    def failed(reason: str) -> None:
        log_failure(store, "play-failed", grant, viewer, reason)

    threading.Thread(target=_export, args=(report, agency, path, lock, failed), name=f"playback-{grant.pk}",
                     daemon=True).start()


REASON_LOGGED = 500
"""Characters of a failure's reason kept in its custody line."""


def log_failure(store: Store, action: str, grant: ViewRequest, viewer: str, reason: str) -> None:
    """The custody line of a playback or export that failed, with (the start of) its reason."""
    store.log(action, grant.recording.ref, viewer, request=grant.pk, reason=reason[:REASON_LOGGED])


def _export(report: RecordingReport, agency: x25519.X25519PrivateKey, path: Path, lock: int,
            failed: Callable[[str], None]) -> None:
    from django.db import connections

    reason = None
    try:
        export_recording(report, agency, path, fragmented=True)
        os.chmod(path, 0o600)
    except PROBLEMS as exc:
        reason = str(exc)
        failed(reason)
    finally:
        os.close(lock)  # and with it the lock
        connections.close_all()  # this thread's own, if the custody line opened one
    if reason is not None:  # after the lock: a page that reads "failed" finds no export running
        failure(path).write_text(reason, encoding="utf-8")


def running(path: Path) -> bool:
    """Whether a worker's export of ``path`` holds its lock."""
    try:
        fd = os.open(_lock(path), os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def state(store: Store, grant: ViewRequest) -> tuple[str, str]:
    """``ready``, ``preparing`` or ``failed`` (with the reason) for the window's MP4."""
    path = playback_path(store, grant)
    if path.exists():
        return "ready", ""
    with contextlib.suppress(FileNotFoundError):
        return "failed", failure(path).read_text(encoding="utf-8")[:500]
    return "preparing", ""


def growing_response(path: Path) -> HttpResponseBase:
    """The MP4 while its export still writes it: every byte from the start as it arrives, until the
    export has renamed it into place (or failed, or stalled). Byte ranges are served once it is whole."""
    response = StreamingHttpResponse(_follow(path), content_type="video/mp4")
    response["Cache-Control"] = "no-store"
    return response


def _follow(path: Path) -> Iterator[bytes]:
    file = _opened(path)
    if file is None:
        return
    with file:
        quiet_since = time.monotonic()
        while True:
            block = file.read(CHUNK)
            if block:
                quiet_since = time.monotonic()
                yield block
            elif _renamed(file.fileno(), path):  # complete: what is left, then the end
                while block := file.read(CHUNK):
                    yield block
                return
            elif failure(path).exists() or time.monotonic() - quiet_since > STALLED_S:
                return
            else:
                time.sleep(POLL_S)


def _opened(path: Path) -> BinaryIO | None:
    """The export's file once it has begun (or is done); None when it failed or stalled first."""
    started = time.monotonic()
    while not failure(path).exists() and time.monotonic() - started < STALLED_S:
        for candidate in (in_progress(path), path):
            with contextlib.suppress(FileNotFoundError):
                return candidate.open("rb")
        time.sleep(POLL_S)
    return None


def _renamed(fd: int, path: Path) -> bool:
    """Whether the open file is the one the export has renamed into place: whole."""
    try:
        return os.fstat(fd).st_ino == path.stat().st_ino
    except FileNotFoundError:
        return False


WINDOW_FILE = re.compile(r"^\.?(?P<grant>\d+)\.mp4(\.lock|\.failed|\.partial)?$")
"""A window's MP4, and its lock, failure and export in progress."""


def sweep(store: Store, at: datetime) -> list[Path]:
    """Remove the files of every window that has closed (or whose request no longer grants it)."""
    from station.models import ViewRequest

    folder = store.root / "private" / "playback"
    removed = []
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:  # export-*.mp4 too: a crashed export's rest
        match = WINDOW_FILE.match(path.name)
        grant = store.db.query(ViewRequest).filter(pk=int(match["grant"])).first() if match else None
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
