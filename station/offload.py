"""``bodycam offload``: pull a docked camera's recordings into the store, verifying while they arrive.

One run: lock the camera's incoming folder; ask the camera what it holds (a hint only); pull with rsync
(no links, no devices, resumable); every segment is verified as soon as rsync has renamed it into
place, so verification overlaps the transfer; then accept (station.accept), send the signed receipt,
and record what the camera released. A full disk, a dropped link or a silent camera stop the run with
a message; nothing is released that the store does not hold.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import re
import stat
import subprocess
import threading
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bodycam.errors import BodycamError
from station.accept import Acceptance, accept
from station.limits import MAX_FILE_SIZE, QUOTA, TIME_LIMIT_S, size_bytes
from station.paths import CAMERA_BODYCAM, CAMERA_DATA
from station.registry import find
from station.ssh import CONNECT_TIMEOUT_S, Connection, ConnectionFailed, Session
from station.store import Store, now
from storage.identifiers import (
    IdentifierError,
    check_audit_file,
    check_recording_id,
    check_segment_file,
    parse_utc,
)
from storage.receipt import sign_receipt
from storage.release import REFUSED_DIR
from storage.segment_format import FileStamp, file_stamp
from storage.segment_reader import Segment, SegmentError, read_segment

if TYPE_CHECKING:
    from station.models import Device, OffloadRun

RSYNC_FULL_DISK = "No space left on device"
MANIFEST_TIMEOUT_S = 60.0
VERSION = re.compile(r"^[0-9A-Za-z.+_-]{1,64}$")
RELEASE_TIMEOUT_S = 600.0  # a Pi hashing its copy of a long shift
QUOTA_POLL_S = 0.5
"""How often a running transfer is weighed against the quota: it overshoots by at most this much time's
worth of bytes."""
OVERSIZED = re.compile(r"^(?P<name>.{1,300}) is over max-size$")
"""rsync's line (``--info=skip1``) for a file it did not take."""
OVERSIZED_NAMED = 20  # files named in a message; the rest are counted
RSYNC_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.[A-Za-z0-9]{6}$")
"""rsync's copy of a file while it arrives, ``.<name>.XXXXXX`` beside it (renamed into place when whole)."""


class OffloadError(BodycamError, RuntimeError):
    pass


class OverQuota(OffloadError):
    """The camera's bytes in the store would pass its quota: the run stops, nothing is released."""


@dataclass(frozen=True)
class OffloadOptions:
    identity: Path | None = None
    data_dir: str = CAMERA_DATA
    remote_bodycam: str = CAMERA_BODYCAM
    bwlimit: int | None = None
    max_file_size: str = MAX_FILE_SIZE
    quota: str = QUOTA
    time_limit_s: int = TIME_LIMIT_S
    connect_timeout_s: int = CONNECT_TIMEOUT_S


@dataclass
class OffloadResult:
    device: str
    acceptance: Acceptance
    released: list[str] = field(default_factory=list)
    set_aside: list[str] = field(default_factory=list)
    in_progress: list[str] = field(default_factory=list)


class ArrivalVerifier:
    """Reads (and so verifies) each segment once rsync has put it in place, while the rest still arrives.

    ``reader`` hands the result to the final check; a file changed since it was read is read again.
    """

    def __init__(self, root: Path) -> None:
        self._root = root
        self._done: dict[Path, tuple[FileStamp, Segment | SegmentError]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="verify-arrivals", daemon=True)

    def __enter__(self) -> ArrivalVerifier:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            fresh = [p for p in sorted(self._root.glob("*/seg-*.bcs")) if p not in self._done]
            for path in fresh:
                try:
                    self._done[path] = (file_stamp(path), self._read(path))
                except OSError:
                    continue  # moved away or not there yet
            if not fresh:
                self._stop.wait(0.05)

    @staticmethod
    def _read(path: Path) -> Segment | SegmentError:
        try:
            return read_segment(path, keep_chunks=False)
        except SegmentError as exc:
            return exc

    def reader(self, path: Path) -> Segment:
        known = self._done.get(path)
        result = known[1] if known is not None and known[0] == file_stamp(path) else self._read(path)
        if isinstance(result, SegmentError):
            raise result
        return result


class DeviceLock:
    """One offload per camera at a time: a second run waits for the first, then finds its work done."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(path, "a")  # noqa: SIM115 - held for the run

    def __enter__(self) -> DeviceLock:
        fcntl.flock(self._file, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        fcntl.flock(self._file, fcntl.LOCK_UN)
        self._file.close()


@dataclass(frozen=True)
class Transfer:
    oversized: list[str]
    """Files not taken for their size, as rsync names them."""
    whole: bool
    """rsync took every other file (not: one vanished or could not be read on the camera)."""


def tree_bytes(path: Path) -> int:
    """Bytes of the files under ``path``, links not followed; files going while it counts are skipped."""
    total = 0
    for folder, _, names in os.walk(path):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


@dataclass(frozen=True)
class Budget:
    """What a camera may still bring: its quota less what the store holds of it outside ``incoming``."""

    quota: str
    held: int
    incoming: Path

    def over(self) -> bool:
        return self.held + tree_bytes(self.incoming) > size_bytes(self.quota)

    def refusal(self, host: str) -> OverQuota:
        return OverQuota(f"{host}: over the camera's store quota of {self.quota} (--quota; it holds "
                            f"{self.held + tree_bytes(self.incoming)} bytes): nothing was released; clear its "
                            "quarantine or raise its quota, then offload again")


def _rsync(ssh: Connection, data_dir: str, target: Path, excludes: Path, options: OffloadOptions,
           deadline: float, budget: Budget) -> Transfer:
    """Pulls the camera's ``recordings`` and ``audit`` into ``target`` in one transfer, until ``deadline``
    (monotonic) or the camera's quota, leaving out the folders listed in the file ``excludes``. rsync
    killed at either limit leaves temporaries: the next run removes them."""
    target.mkdir(parents=True, exist_ok=True)
    command = ["rsync", "-rt", "--no-links", "--partial-dir=.rsync-partial", "-e", ssh.ssh,
               f"--max-size={options.max_file_size}", "--info=skip1", f"--exclude-from={excludes}"]
    if options.bwlimit:
        command.append(f"--bwlimit={options.bwlimit}")
    sources = [f"{ssh.target}:{data_dir}/{name}" for name in ("recordings", "audit")]
    with subprocess.Popen([*command, *sources, f"{target}/"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, errors="replace") as process:
        while True:
            try:
                stdout, stderr = process.communicate(timeout=min(QUOTA_POLL_S, max(0.0, deadline - time.monotonic())))
                break
            except subprocess.TimeoutExpired:
                late, over = time.monotonic() >= deadline, budget.over()
                if late or over:
                    process.kill()
                    process.communicate()
                    raise (budget.refusal(ssh.host) if over else OffloadError(
                        f"{ssh.host}: the transfer took longer than its limit of {options.time_limit_s} s "
                        "(--time-limit): nothing was released; what arrived is kept and the next run resumes")
                    ) from None
    if process.returncode in (0, 23, 24):  # 23/24: a file vanished or was unreadable: taken next run
        return Transfer([m["name"] for line in stdout.splitlines() if (m := OVERSIZED.match(line))],
                        whole=process.returncode == 0)
    said = stderr.strip().splitlines()[-1][:300] if stderr.strip() else "no message"
    if RSYNC_FULL_DISK in stderr:
        raise OffloadError(f"the store's disk is full ({target.parent}): nothing was released on the camera; "
                           "free space, then offload again: what arrived is kept and resumed")
    if process.returncode == 255 or "connection unexpectedly closed" in stderr:
        raise OffloadError(f"{ssh.host}: rsync failed: the connection broke ({said}); what arrived is kept and "
                           "the next run resumes")
    raise OffloadError(f"{ssh.host}: rsync failed ({process.returncode}): {said}")


def held_bytes(store: Store, dkid: str) -> int:
    """What the store holds of a camera outside ``incoming``: its recordings and audit log, and the copies
    of its quarantine items no one has cleared."""
    from station.models import QuarantineItem

    items = store.db.query(QuarantineItem).filter(device_key_id=dkid, cleared_at__isnull=True).exclude(path="")
    return tree_bytes(store.root / "devices" / dkid) + sum(tree_bytes(store.root / item.path) for item in items)


def killed_transfers(incoming: Path) -> list[Path]:
    """rsync's temporary copies that a killed run left: rsync moves a partial file into its partial folder
    only when stopped by a signal it can catch. Kept, they would make the recording look tampered with
    (an unexpected file); the camera still holds the whole file, released only after a receipt, so the
    next rsync pulls it again. Only names of that form for a segment or audit file, only regular files."""
    candidates = [(path, check_segment_file) for path in incoming.glob("recordings/*/.*")]
    candidates += [(path, check_audit_file) for path in incoming.glob("audit/.*")]
    leftovers = []
    for path, check in candidates:
        match = RSYNC_TEMPORARY.match(path.name)
        try:
            if match and check(match["name"]) and stat.S_ISREG(os.lstat(path).st_mode):
                leftovers.append(path)
        except (IdentifierError, OSError):
            continue
    return sorted(leftovers)


def _remove_killed_transfers(store: Store, dkid: str, incoming: Path) -> None:
    leftovers = killed_transfers(incoming)
    for path in leftovers:
        path.unlink()
    if leftovers:
        store.log("leftover-removed", dkid, files=[str(path.relative_to(incoming)) for path in leftovers],
                  why="an earlier offload was killed during the transfer; the camera still holds these files")


def _offered(offered: object, device_key_id: str, finished: bool) -> list[str]:
    """Recordings the camera says it has finished or is still writing; ids of the wrong form are ignored."""
    listed = offered.get("recordings") if isinstance(offered, dict) else None
    names = []
    for entry in listed if isinstance(listed, list) else []:
        if isinstance(entry, dict) and entry.get("finished") is finished:
            try:
                names.append(check_recording_id(entry.get("id"), device_key_id))
            except IdentifierError:
                continue
    return names


def _clock_offset(offered: object) -> float | None:
    camera = parse_utc(offered.get("utc")) if isinstance(offered, dict) else None
    if camera is None:
        return None
    return round((camera - datetime.now(UTC)).total_seconds(), 3)


def _camera_status(run: OffloadRun, device: Device, offered: object) -> None:
    """What the camera says of its battery, card and firmware, for the devices page: only numbers in
    range and a version of the documented form are taken; anything else is left unknown."""
    status = offered.get("status") if isinstance(offered, dict) else None
    status = status if isinstance(status, dict) else {}
    battery = status.get("battery_percent")
    number = isinstance(battery, int | float) and not isinstance(battery, bool)
    run.battery_percent = float(battery) if number and 0 <= battery <= 100 else None  # type: ignore[operator,arg-type]
    for name in ("free_bytes", "total_bytes"):
        value = status.get(name)
        setattr(run, name, value if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**62
                else None)
    version = status.get("firmware_version")
    if isinstance(version, str) and VERSION.match(version):
        device.firmware_version = version


def offload(store: Store, ref: str, options: OffloadOptions) -> OffloadResult:
    """One camera's run. A database failure (a full disk, a restarted server) ends this run only: the
    connection is closed, so the next camera's run opens a new one."""
    from django.db import Error as DatabaseFailure

    store.db.reconnect_if_lost()
    try:
        return _locked_offload(store, ref, options)
    except DatabaseFailure as exc:
        store.db.close()
        raise OffloadError(_message(exc)) from None


def _locked_offload(store: Store, ref: str, options: OffloadOptions) -> OffloadResult:
    from django.db import Error as DatabaseFailure

    from station.models import Device, OffloadRun

    device = find(store, ref)
    if device.status != Device.ACTIVE:
        raise OffloadError(f"{device.name} is marked {device.status}: its recordings are not taken "
                           "(mark it active only by enrolling a new key)")
    dkid = device.key_id
    incoming = store.incoming(dkid)
    with DeviceLock(store.root / "incoming" / f"{dkid}.lock"):
        run = store.db.query(OffloadRun).create(device=device, started_at=now())  # a full disk shows here first
        try:
            result = _offload(store, device, options, incoming, run)
        except (OffloadError, ConnectionFailed, OSError, DatabaseFailure) as exc:
            run.outcome, run.finished_at, run.problems = "failed", now(), [_message(exc)]
            with contextlib.suppress(DatabaseFailure):  # its disk may be the full one: the message still tells
                run.save(using=store.db.alias)
            if isinstance(exc, OSError):
                raise OffloadError(_message(exc)) from None
            raise
        run.outcome, run.finished_at = ("problems" if result.acceptance.problems else "ok"), now()
        run.received, run.released = result.acceptance.received, result.released
        run.problems = result.acceptance.problems
        run.save(using=store.db.alias)
        device.last_offload_at = run.finished_at
        device.save(using=store.db.alias)
    return result


def _message(exc: BaseException) -> str:
    if (isinstance(exc, OSError) and exc.errno == errno.ENOSPC) or "disk is full" in str(exc):
        return "the store's disk is full: nothing was released on the camera; free space, then offload again"
    if isinstance(exc, OffloadError | ConnectionFailed):
        return str(exc)
    first = (str(exc).strip() or type(exc).__name__).splitlines()[0]  # a server's message spans lines
    where = "folder" if isinstance(exc, OSError) else "database"
    return f"the store's {where} failed ({first}): nothing was released on the camera; the next run takes it again"


def _offload(store: Store, device: Device, options: OffloadOptions, incoming: Path, run: OffloadRun) -> OffloadResult:
    d = device
    identity = options.identity or (store.ssh_identity if store.ssh_identity.exists() else None)
    with Connection(d.host, d.port, d.ssh_user, d.host_key, identity, options.connect_timeout_s) as ssh:
        session = ssh.session([options.remote_bodycam, "offload-session", "--data-dir", options.data_dir.rstrip("/")])
        try:
            return _pull_and_receipt(store, device, options, incoming, run, ssh, session)
        finally:
            session.close()  # without a receipt sent, the camera deletes nothing


def _pull_and_receipt(store: Store, device: Device, options: OffloadOptions, incoming: Path, run: OffloadRun,
                      ssh: Connection, session: Session) -> OffloadResult:
    d = device
    dkid = d.key_id
    data_dir = options.data_dir.rstrip("/")
    try:
        offered = json.loads(session.read_line(MANIFEST_TIMEOUT_S))
    except json.JSONDecodeError:
        raise OffloadError(f"{d.name}: the camera's manifest is not JSON") from None
    claimed = offered.get("device_key_id") if isinstance(offered, dict) else None
    if claimed != dkid:
        store.log("impostor", dkid, host=d.host, claimed=str(claimed)[:64])
        raise OffloadError(f"{d.name}: the camera at {d.host}:{d.port} answers with device key {claimed!r}, "
                           f"the registry says {dkid}: nothing taken")
    run.camera_clock_offset_s = _clock_offset(offered)
    _camera_status(run, device, offered)
    in_progress = _offered(offered, dkid, finished=False)
    refused_before = refused_recordings(store, dkid)
    _remove_killed_transfers(store, dkid, incoming)
    budget = Budget(options.quota, held_bytes(store, dkid), incoming)
    excludes = store.root / "incoming" / f"{dkid}.exclude"
    excludes.write_text("".join(f"/recordings/{name}/\n" for name in [REFUSED_DIR, *in_progress, *refused_before]))
    with ArrivalVerifier(incoming / "recordings") as verifier:
        try:
            if budget.over():
                raise budget.refusal(d.name)
            transfer = _rsync(ssh, data_dir, incoming, excludes, options, time.monotonic() + options.time_limit_s,
                              budget)
        except OverQuota:
            store.log("over-quota", dkid, quota=options.quota, held=budget.held + tree_bytes(incoming))
            raise
    oversized = transfer.oversized
    acceptance = accept(store, device, verifier.reader, frozenset(in_progress))
    if oversized:
        store.log("oversized-not-taken", dkid, limit=options.max_file_size, count=len(oversized),
                  files=oversized[:OVERSIZED_NAMED])
        acceptance.problems.append(
            f"{dkid}: not taken, over the size limit of {options.max_file_size} (--max-file-size): "
            f"{len(oversized)} file(s): {', '.join(oversized[:OVERSIZED_NAMED])}"
            + (" …" if len(oversized) > OVERSIZED_NAMED else ""))
    result = OffloadResult(d.name, acceptance, in_progress=in_progress)
    refused = _refusal(acceptance.refused, refused_before, _offered(offered, dkid, finished=True),
                       oversized) if transfer.whole else []
    if acceptance.receipt or refused:
        signed = sign_receipt(acceptance.receipt, dkid, store.station_key(), now().isoformat(), refused)
        session.send_line(json.dumps(signed))
        try:
            answer = json.loads(session.read_line(RELEASE_TIMEOUT_S))
        except json.JSONDecodeError:
            answer = None
        result.released = answered(answer, "released", acceptance.receipt)
        if acceptance.receipt:
            store.log("released-on-camera", dkid, receipted=sorted(acceptance.receipt), released=result.released)
        if refused:
            result.set_aside = answered(answer, "set_aside", refused)
            store.log("refused-on-camera", dkid, refused=refused, set_aside=result.set_aside)
    run.on_camera = still_on_camera(offered, result.released + result.set_aside)
    return result


def refused_recordings(store: Store, dkid: str) -> list[str]:
    """Recordings of this camera the store refused and keeps in quarantine, no one having cleared them:
    never pulled again (a camera that ignores its station's refusal sends them for nothing)."""
    from station.models import QuarantineItem

    items = store.db.query(QuarantineItem).filter(device_key_id=dkid, cleared_at__isnull=True,
                                                  kind__in=[QuarantineItem.REJECTED, QuarantineItem.CONFLICT])
    return sorted({item.name for item in items})


def _refusal(refused_now: list[str], refused_before: list[str], offered: list[str], oversized: list[str]) -> list[str]:
    """What the receipt tells the camera to set aside: recordings refused in this run, and those refused
    before that the camera still offers (its earlier receipt may have been lost). A recording with a file
    over the size limit was not refused: it is taken when the limit allows."""
    cut = {name.split("/")[1] for name in oversized if name.startswith("recordings/")}
    return sorted((set(refused_now) | (set(refused_before) & set(offered))) - cut)


def answered(answer: object, key: str, asked: Collection[str]) -> list[str]:
    """What the camera says it deleted or set aside, of what the receipt asked; anything else it says is
    ignored. A camera of the firmware before refusals answers only the list of what it deleted."""
    said = answer if isinstance(answer, list) and key == "released" else \
        answer.get(key) if isinstance(answer, dict) else None
    return sorted(r for r in said if isinstance(r, str) and r in asked) if isinstance(said, list) else []


def still_on_camera(offered: object, released_ids: list[str]) -> int | None:
    """How many recordings the camera still holds after the run, as far as its manifest tells."""
    listed = offered.get("recordings") if isinstance(offered, dict) else None
    return max(0, len(listed) - len(released_ids)) if isinstance(listed, list) else None
