"""Hand-over of recordings to a police station or prosecutor's office (Übergabe): an evidence officer with
an open viewing window for each recording issues a package for a registered recipient; the recipient
fetches it over an expiring link with a one-time code told separately (by telephone, not in the same
e-mail). Every step is a custody line of each recording handed over; when the hand-over expires, is
revoked or its code is guessed at, its package is removed: nothing decrypted outlives it.

The link (256 random bits) and the code (8 digits, 5 tries) are stored only as hashes: whoever reads the
database cannot fetch a package, and the issuer sees both once.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from django.contrib.auth.hashers import check_password, make_password
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from bodycam.errors import BodycamError
from station import handover_package, handover_sheet
from station.attribution import wearers
from station.labels import label
from station.models import Account, Handover, Recording
from station.store import Store
from station.stored import PROBLEMS, source, verified

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric import x25519
    from django.contrib.auth.models import User

    from station.models import Case, Recipient
    from storage.report import RecordingReport

MAX_WRONG_CODES = 5
LONGEST = timedelta(days=30)
CODE_DIGITS = 8
BUILDING = timedelta(minutes=10)
"""A package file no hand-over owns that has not been written to for this long is a killed build's rest;
younger, it is being built (its hand-over is saved when it is whole)."""


class HandoverError(BodycamError, ValueError):
    """A hand-over refused: no recording, a window not open, an inactive recipient, a period too long."""


@dataclass(frozen=True)
class Issued:
    handover: Handover
    link: str
    """The secret part of the download address, shown once."""
    code: str
    """The one-time code, shown once, to be told separately."""


def package_path(store: Store, handover: Handover) -> Path:
    folder = store.root / "private" / "handover"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder / f"{handover.link_hash[:16]}.zip"


def link_hash(link: str) -> str:
    return hashlib.sha256(link.encode()).hexdigest()


def issue(store: Store, case: Case, recipient: Recipient, recordings: list[Recording], issuer: User,
          valid_for: timedelta, agency: Callable[[], x25519.X25519PrivateKey], at: datetime,
          windows: set[int]) -> Issued:
    """Verify, decrypt and package ``recordings`` of ``case`` for ``recipient``; ``windows`` holds the
    recordings the issuer has an open viewing window for (four eyes: no window, no hand-over); ``agency``
    gives the key to decrypt with (its failure to load is the hand-over's failure, logged as such)."""
    if not recordings:
        raise HandoverError(_("Choose at least one recording of the case."))
    if not recipient.active:
        raise HandoverError(_("The recipient %(name)s is no longer active.") % {"name": recipient.name})
    if not timedelta(hours=1) <= valid_for <= LONGEST:
        raise HandoverError(_("A hand-over link is valid for 1 to 30 days."))
    personnel = Account.number_of(issuer)
    if personnel is None:
        raise HandoverError(_("Your account has no personnel number; the hand-over sheet must name you."))
    attached = set(case.recordings.values_list("pk", flat=True))
    for recording in recordings:
        if recording.pk not in attached:
            raise HandoverError(_("Recording %(ref)s is not in case %(case)s.") % {"ref": recording.ref,
                                                                                   "case": case.reference})
        if recording.pk not in windows:
            raise HandoverError(_("Recording %(ref)s: you have no open viewing window for it; request one "
                                  "first (four-eyes principle).") % {"ref": recording.ref})
    link, code = secrets.token_urlsafe(32), f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    handover = Handover(case=case, recipient=recipient, issuer=issuer, created_at=at, expires_at=at + valid_for,
                        link_hash=link_hash(link), code_hash=make_password(code))
    try:
        reports = [(f"{recording.device.name}_{recording.recording_id}.mp4", verified(source(store, recording)))
                   for recording in recordings]
        facts = _facts(store, handover, recordings, personnel, reports)
        package = handover_package.build(package_path(store, handover), reports, agency(),
                                         lambda hashes: _documents(facts(hashes)))
    except PROBLEMS as exc:
        for recording in recordings:
            store.log("handover-failed", recording.ref, issuer.get_username(), case=case.reference,
                      recipient=recipient.name, reason=str(exc)[:500])
        raise HandoverError(_("The hand-over cannot be made: %(reason)s") % {"reason": exc}) from exc
    handover.package_sha256, handover.package_bytes, handover.manifest = package.sha256, package.size, package.manifest
    try:
        with store.db.atomic():
            handover.save()
            handover.recordings.set(recordings)
            _log(store, "handover-created", handover, issuer.get_username(), case=case.reference,
                 recipient=recipient.name, expires=handover.expires_at.isoformat(), package_sha256=package.sha256)
    except BaseException:
        handover_package.remove(package.path)
        raise
    return Issued(handover, link, f"{code[:4]}-{code[4:]}")


def _documents(facts: handover_sheet.Facts) -> tuple[str, bytes]:
    return handover_sheet.report(facts), handover_sheet.sheet(facts)


def _facts(store: Store, handover: Handover, recordings: list[Recording], issuer_number: str,
           reports: list[tuple[str, RecordingReport]]) -> Callable[[dict[str, str]], handover_sheet.Facts]:
    """What the documents say, once the MP4s' hashes are known."""
    with translation.override("de"):
        kind = label(handover.case.kind, "case-kind")
    worn = wearers(store, recordings)

    def facts(hashes: dict[str, str]) -> handover_sheet.Facts:
        items = tuple(handover_sheet.Item(
            name, recording.ref, recording.device.name, recording.started_utc, recording.duration_s,
            recording.reason, recording.segments, hashes[name], report.status, tuple(report.notes + report.sound_gaps),
            f"{worn[recording.pk].german()}; {worn[recording.pk].camera_german()}")
            for recording, (name, report) in zip(recordings, reports, strict=True))
        return handover_sheet.Facts(number(handover), handover.case.reference, kind, handover.recipient.name,
                                    handover.issuer.get_username(), issuer_number, handover.created_at,
                                    handover.expires_at, items)
    return facts


def number(handover: Handover) -> str:
    """The hand-over's number on its sheet and pages (not secret: the link's hash, shortened)."""
    return handover.link_hash[:8].upper()


def find(store: Store, link: str) -> Handover | None:
    """The hand-over a link's secret names (its length is the URL pattern's to bound)."""
    return store.db.query(Handover).select_related("recipient", "case").filter(link_hash=link_hash(link)).first()


def current(store: Store, handover: Handover, at: datetime) -> Handover:
    """``handover`` with its expiry applied: one past its time is ended (package removed) now."""
    if handover.status == Handover.READY and handover.expires_at <= at:
        _end(store, handover, Handover.EXPIRED, "station", at)
    return handover


def redeem(store: Store, handover: Handover, code: str, address: str, at: datetime) -> bool:
    """Whether ``code`` opens ``handover`` (once); a wrong one is counted, and the fifth locks it."""
    who = handover.recipient.name
    if handover.status != Handover.READY:
        return False
    if handover.code_used_at is not None:
        _log(store, "handover-code-reused", handover, who, address=address)
        return False
    digits = "".join(ch for ch in code[:40] if ch in "0123456789")
    mine = store.db.query(Handover).filter(pk=handover.pk)
    if len(digits) == CODE_DIGITS and check_password(digits, handover.code_hash):
        with store.db.atomic():  # one browser only, even when two send the code at once
            first = mine.filter(code_used_at__isnull=True).update(code_used_at=at) == 1
            _log(store, "handover-opened" if first else "handover-code-reused", handover, who, address=address)
        return first
    with store.db.atomic():
        mine.update(wrong_codes=F("wrong_codes") + 1)
        handover.refresh_from_db(fields=["wrong_codes"])
        _log(store, "handover-code-wrong", handover, who, address=address, attempt=handover.wrong_codes)
    if handover.wrong_codes >= MAX_WRONG_CODES:
        _end(store, handover, Handover.LOCKED, who, at)
    return False


def opened_by(session_handovers: object, handover: Handover) -> bool:
    """Whether the browser session redeemed this hand-over's code (the session keeps the ids it opened)."""
    return isinstance(session_handovers, list) and handover.pk in session_handovers


def downloaded(store: Store, handover: Handover, address: str) -> None:
    store.db.query(Handover).filter(pk=handover.pk).update(downloads=F("downloads") + 1)
    _log(store, "handover-downloaded", handover, handover.recipient.name, address=address,
         package_sha256=handover.package_sha256)


def revoke(store: Store, handover: Handover, who: str, at: datetime) -> None:
    if handover.status != Handover.READY:
        raise HandoverError(_("This hand-over has already ended."))
    _end(store, handover, Handover.REVOKED, who, at)


def sweep(store: Store, at: datetime) -> list[Handover]:
    """End every hand-over past its time, and remove any package file no ready hand-over owns (a killed
    build's rest): the sweep timer's job, every minute."""
    ended = [_end(store, h, Handover.EXPIRED, "station", at)
             for h in store.db.query(Handover).filter(status=Handover.READY, expires_at__lte=at)]
    folder = store.root / "private" / "handover"
    owned = {package_path(store, h).name for h in store.db.query(Handover).filter(status=Handover.READY)}
    for path in sorted(folder.iterdir()) if folder.is_dir() else []:
        with contextlib.suppress(FileNotFoundError):
            if path.name not in owned and path.stat().st_mtime < at.timestamp() - BUILDING.total_seconds():
                path.unlink()
    return ended


def _end(store: Store, handover: Handover, status: str, who: str, at: datetime) -> Handover:
    handover.status, handover.ended_at, handover.ended_by = status, at, who[:100]
    with store.db.atomic():
        handover.save(update_fields=["status", "ended_at", "ended_by"])
        _log(store, f"handover-{status}", handover, who)
    handover_package.remove(package_path(store, handover))
    return handover


def _log(store: Store, action: str, handover: Handover, who: str, **details: object) -> None:
    """One line per recording handed over, so each recording's own log shows where it went."""
    for recording in handover.recordings.select_related("device").order_by("pk"):
        store.log(action, recording.ref, who[:100], handover=number(handover), **details)

