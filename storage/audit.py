"""The audit log: append-only JSON lines, each hash-chained to the one before and signed by the device.

One file per firmware start (``audit/<utc>.jsonl``); the first line of a file links to the last line
of the file before it, so a removed, changed or reordered line or file breaks the chain. Files are
put in order by those links, never by their names or the clock: a camera without a real-time clock
may start with a clock behind the last run's, and two starts in one second get suffixed names.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from storage.canonical import canonical_json, signature_matches
from storage.keys import key_id
from storage.segment_format import ZERO_HASH, b64, unb64


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


class AuditLog:
    def __init__(self, directory: Path, signing_key: ed25519.Ed25519PrivateKey, utc_now: Callable[[], str]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._key = signing_key
        self._key_id = key_id(signing_key.public_key())
        self._utc_now = utc_now
        self._lock = threading.Lock()
        self._prev = chain_end(directory)
        stamp = utc_now().replace("-", "").replace(":", "").replace(".", "")
        self.path = _unique(directory, stamp)
        self._file = open(self.path, "ab")  # noqa: SIM115 - kept open for the life of the firmware
        self._seq = 0

    def append(self, record: dict[str, object]) -> None:
        """Thread-safe: the event loop and the recorder's writer thread both write."""
        with self._lock:
            entry = {**record, "seq": self._seq, "utc": self._utc_now(), "prev": self._prev, "key": self._key_id}
            body = canonical_json(entry)
            entry["sig"] = b64(self._key.sign(hashlib.sha256(body).digest()))
            line = canonical_json(entry)
            self._file.write(line + b"\n")
            self._file.flush()
            os.fsync(self._file.fileno())
            self._prev = line_hash(line)
            self._seq += 1

    def close(self) -> None:
        self._file.close()


def _unique(directory: Path, stamp: str) -> Path:
    path, n = directory / f"{stamp}.jsonl", 1
    while path.exists():
        path, n = directory / f"{stamp}-{n}.jsonl", n + 1
    return path


@dataclass(frozen=True)
class _AuditFile:
    path: Path
    lines: list[bytes]
    """Complete lines, without their newline."""
    cut: bool
    """The file ends in a partial line (a power cut while writing it)."""

    @property
    def first_prev(self) -> str | None:
        try:
            return str(json.loads(self.lines[0])["prev"]) if self.lines else None
        except (ValueError, KeyError, TypeError):
            return None

    @property
    def last_hash(self) -> str | None:
        return line_hash(self.lines[-1]) if self.lines else None


def _read(path: Path) -> _AuditFile:
    raw = path.read_bytes().split(b"\n")
    cut = raw[-1] != b""
    return _AuditFile(path, raw[:-1], cut and raw != [b""])


def chain_order(directory: Path) -> list[Path]:
    """Audit files in the order their links give: from the first (linked to nothing) to the last.
    Files that no chain reaches (a file before them is missing) follow, by name."""
    return [f.path for f in _ordered(directory)]


def _ordered(directory: Path) -> list[_AuditFile]:
    files = [_read(p) for p in sorted(directory.glob("*.jsonl"))]
    by_prev: dict[str | None, list[_AuditFile]] = {}
    for f in files:
        if f.lines:
            by_prev.setdefault(f.first_prev, []).append(f)
    ordered: list[_AuditFile] = []
    current = ZERO_HASH
    while by_prev.get(current):
        following = by_prev[current].pop(0)
        ordered.append(following)
        current = following.last_hash  # type: ignore[assignment]
    ordered_paths = {f.path for f in ordered}
    return ordered + [f for f in files if f.lines and f.path not in ordered_paths]


def chain_end(directory: Path) -> str:
    """The hash of the last complete line of the chain: what the next line links to."""
    ordered = _ordered(directory) if directory.is_dir() else []
    return ordered[-1].last_hash or ZERO_HASH if ordered else ZERO_HASH


@dataclass
class AuditReport:
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    entries: list[tuple[str, dict[str, object]]] = field(default_factory=list)
    """``(file:line, entry)`` of every readable line, in chain order."""
    hashes: list[str] = field(default_factory=list)
    """The line hash of each entry: an anchor names one of them."""
    last_hash: str = ZERO_HASH
    """Hash of the last line of the chain: the anchor a later offload is compared with."""

    @property
    def lines(self) -> int:
        return len(self.entries)


def verify_audit(directory: Path, trusted: dict[str, ed25519.Ed25519PublicKey]) -> AuditReport:
    """Problems, notes and the entries of every audit file in ``directory``, in chain order."""
    report = AuditReport()
    prev = ZERO_HASH
    for audit_file in _ordered(directory):
        name = audit_file.path.name
        if audit_file.cut:
            report.notes.append(f"{name}: truncated: last line cut off (power cut); "
                                f"{len(audit_file.lines)} lines intact")
        for number, raw in enumerate(audit_file.lines, start=1):
            where = f"{name}:{number}"
            if _check_line(report, where, raw, prev, trusted) is None:
                return report
            prev = line_hash(raw)
    report.last_hash = prev
    return report


def _check_line(report: AuditReport, where: str, raw: bytes, prev: str,
                trusted: dict[str, ed25519.Ed25519PublicKey]) -> bool | None:
    """Checks one line; None when there is no key to check anything with."""
    try:
        entry = json.loads(raw)
        signature = unb64(entry.pop("sig"))
    except (ValueError, KeyError, TypeError, AttributeError):
        report.problems.append(f"{where}: audit: unreadable line")
        return False
    key = trusted.get(str(entry.get("key")))
    if key is None and not trusted:
        report.problems.append(f"{where}: audit: no device key to verify against")
        return None
    if key is None:
        report.problems.append(f"{where}: audit: signed by unregistered device key {entry.get('key')}")
        return False
    if not signature_matches(key, signature, entry, sha256_first=True):
        report.problems.append(f"{where}: audit: signature mismatch (line changed)")
        return False
    if entry.get("prev") != prev:
        report.problems.append(f"{where}: audit: chain broken (a line or file before it is missing or changed)")
    report.entries.append((where, entry))
    report.hashes.append(line_hash(raw))
    return True
