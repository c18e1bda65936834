"""The audit log: append-only JSON lines, each hash-chained to the one before and signed by the device.

One file per firmware start (``audit/<utc>.jsonl``); the first line of a file links to the last line
of the previous file, so a removed, changed or reordered line or file breaks the chain.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

from storage.keys import key_id
from storage.segment_format import ZERO_HASH, b64, canonical_json, unb64


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


class AuditLog:
    def __init__(self, directory: Path, signing_key: ed25519.Ed25519PrivateKey, utc_now: Callable[[], str]) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        self._key = signing_key
        self._key_id = key_id(signing_key.public_key())
        self._utc_now = utc_now
        previous = sorted(directory.glob("*.jsonl"))
        self._prev = _last_line_hash(previous[-1]) if previous else ZERO_HASH
        stamp = utc_now().replace("-", "").replace(":", "").replace(".", "")
        self.path = _unique(directory, stamp)
        self._file = open(self.path, "ab")  # noqa: SIM115 - kept open for the life of the firmware
        self._seq = 0

    def append(self, record: dict[str, object]) -> None:
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


def _last_line_hash(path: Path) -> str:
    """Hash of the last complete line; a line cut off by a power cut is not part of the chain."""
    complete = path.read_bytes().split(b"\n")[:-1]
    return line_hash(complete[-1]) if complete else ZERO_HASH


def verify_audit(directory: Path, trusted: dict[str, ed25519.Ed25519PublicKey]) -> tuple[list[str], list[str]]:
    """``(problems, notes)`` for every audit file in ``directory``, in order."""
    problems: list[str] = []
    notes: list[str] = []
    prev = ZERO_HASH
    for path in sorted(directory.glob("*.jsonl")):
        raw_lines = path.read_bytes().split(b"\n")
        if raw_lines and raw_lines[-1] == b"":
            raw_lines.pop()
        elif raw_lines:
            notes.append(f"{path.name}: truncated: last line cut off (power cut); {len(raw_lines) - 1} lines intact")
            raw_lines.pop()
        for number, raw in enumerate(raw_lines, start=1):
            where = f"{path.name}:{number}"
            try:
                entry = json.loads(raw)
                signature = unb64(entry.pop("sig"))
            except (ValueError, KeyError):
                problems.append(f"{where}: audit: unreadable line")
                prev = line_hash(raw)
                continue
            key = trusted.get(str(entry.get("key")))
            if key is None and not trusted:
                problems.append(f"{where}: audit: no device key to verify against")
                return problems, notes
            if key is None:
                problems.append(f"{where}: audit: signed by unregistered device key {entry.get('key')}")
            else:
                try:
                    key.verify(signature, hashlib.sha256(canonical_json(entry)).digest())
                except InvalidSignature:
                    problems.append(f"{where}: audit: signature mismatch (line changed)")
            if entry.get("prev") != prev:
                problems.append(f"{where}: audit: chain broken (a line or file before it is missing or changed)")
            prev = line_hash(raw)
    return problems, notes
