"""The custody log: who did what to which recording, when and why; hash-chained, signed by the station.

Each line's body is ``{seq, utc, actor, action, subject, details, prev}``; ``sig`` is the station key's
Ed25519 signature over its canonical JSON, and ``hash`` = SHA-256 over the canonical JSON of the body
with ``sig``: the next line's ``prev``. Lines are only ever appended; ``verify`` recomputes the chain.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric import ed25519

from station.database import Database
from storage.canonical import canonical_json, signature_matches, signed_forms
from storage.segment_format import ZERO_HASH, b64, unb64


def actor() -> str:
    """Who runs this command: the login name, or the service user (systemd timers)."""
    return os.environ.get("BODYCAM_ACTOR") or os.environ.get("SUDO_USER") or os.environ.get("USER") or "system"


def _body(seq: int, utc: str, who: str, action: str, subject: str, details: dict[str, object],
          prev: str) -> dict[str, object]:
    return {"seq": seq, "utc": utc, "actor": who, "action": action, "subject": subject, "details": details,
            "prev": prev}


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def append(db: Database, key: ed25519.Ed25519PrivateKey, action: str, subject: str = "",
           details: dict[str, object] | None = None, who: str | None = None) -> None:
    """Append one signed line; call inside the transaction that makes the change it records."""
    from station.models import ChainHead, CustodyEntry

    with db.atomic():
        head = db.query(ChainHead).select_for_update().filter(pk=1).first()
        if head is None:
            head = ChainHead(pk=1, seq=0, hash=ZERO_HASH)
        now = datetime.now(UTC)
        seq = head.seq + 1
        body = _body(seq, _utc(now), who or actor(), action, subject, details or {}, head.hash)
        sig = b64(key.sign(canonical_json(body)))
        digest = hashlib.sha256(canonical_json({**body, "sig": sig})).hexdigest()
        db.query(CustodyEntry).create(seq=seq, utc=now, actor=body["actor"], action=action, subject=subject,
                                      details=body["details"], prev=head.hash, hash=digest, sig=sig)
        head.seq, head.hash = seq, digest
        head.save(using=db.alias)


@dataclass(frozen=True)
class CustodyCheck:
    lines: int
    problems: list[str]
    last_hash: str
    """The hash of the log's last line: kept outside the station, it shows a later cut of the log's end."""


def verify(db: Database, station_key: ed25519.Ed25519PublicKey) -> CustodyCheck:
    """Recompute every line's signature and link, and compare the end with the chain head."""
    from station.models import ChainHead, CustodyEntry

    problems: list[str] = []
    prev, count, expected_seq = ZERO_HASH, 0, 1
    for entry in db.query(CustodyEntry).order_by("seq").iterator():
        count += 1
        body = _body(entry.seq, _utc(entry.utc), entry.actor, entry.action, entry.subject, entry.details, entry.prev)
        if entry.seq != expected_seq:
            problems.append(f"line {entry.seq}: missing line(s) before it (expected {expected_seq})")
        expected_seq = entry.seq + 1
        if entry.prev != prev:
            problems.append(f"line {entry.seq}: chain broken (does not follow the line before)")
        try:
            signature = unb64(entry.sig)
        except ValueError:
            signature = b""
        if not signature_matches(station_key, signature, body):
            problems.append(f"line {entry.seq}: signature mismatch (line changed)")
        if entry.hash not in {hashlib.sha256(form).hexdigest() for form in signed_forms({**body, "sig": entry.sig})}:
            problems.append(f"line {entry.seq}: hash mismatch")
        prev = entry.hash
    head = db.query(ChainHead).filter(pk=1).first()
    if head is not None and (head.seq, head.hash) != (expected_seq - 1, prev):
        problems.append(f"end of log: the chain head names line {head.seq}, the log ends at {expected_seq - 1} "
                        "(lines at the end were removed)")
    return CustodyCheck(count, problems, prev)
