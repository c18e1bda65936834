"""Cases (Vorgänge): open one under its file reference, attach and detach recordings, close it; each step
a custody line, whoever asks (the web application today, an API tomorrow).

A recording in a case is kept while the case is open and for its kind's period after it closed
(``keeping``); the retention purge asks here before it deletes anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import User

from bodycam.errors import BodycamError
from station.case_kinds import KINDS
from station.models import Case, Recording
from station.store import Store, now

REFERENCE = re.compile(r"^[0-9A-Za-zÄÖÜäöüß][0-9A-Za-zÄÖÜäöüß ./:()-]{0,99}$")
"""A file reference as offices write them: ``OA 12/2026``, ``StA 12 Js 345/26``, ``32.1-0815/26``."""


def normal_reference(text: str) -> str:
    """A file reference as stored and searched: runs of spaces as one, none at the ends."""
    return " ".join(text.split())


class CaseError(BodycamError, ValueError):
    """A case step refused: a malformed or taken file reference, a closed case, a recording twice."""


def open_case(store: Store, reference: str, kind: str, clerk: User, who: str) -> Case:
    reference = normal_reference(reference)
    if not REFERENCE.match(reference):
        raise CaseError(f"file reference {reference[:40]!r}: use letters, digits, spaces and . / : ( ) -, "
                        "at most 100 characters")
    if kind not in KINDS:
        raise CaseError(f"kind {kind[:40]!r}: choose one of {', '.join(KINDS)}")
    with store.db.atomic():
        if store.db.query(Case).filter(reference=reference).exists():
            raise CaseError(f"file reference {reference}: a case with it exists already")
        case = store.db.query(Case).create(reference=reference, kind=kind, clerk=clerk, opened_at=now())
        store.log("case-opened", reference, who, kind=kind, clerk=clerk.get_username())
    return case


def attach(store: Store, case: Case, recording: Recording, who: str) -> None:
    with store.db.atomic():
        store.db.query(Recording).select_for_update().get(pk=recording.pk)  # a purge decides it after or before
        if case.status != Case.OPEN:
            raise CaseError(f"case {case.reference} is closed: recordings are attached to open cases only")
        if case.recordings.filter(pk=recording.pk).exists():
            raise CaseError(f"case {case.reference} holds this recording already")
        case.recordings.add(recording)
        store.log("case-attached", recording.ref, who, case=case.reference)


def detach(store: Store, case: Case, recording: Recording, who: str) -> None:
    with store.db.atomic():
        if case.status != Case.OPEN:
            raise CaseError(f"case {case.reference} is closed: its recordings stay as they were")
        case.recordings.remove(recording)
        store.log("case-detached", recording.ref, who, case=case.reference)


def close_case(store: Store, case: Case, who: str, periods: dict[str, timedelta]) -> None:
    with store.db.atomic():
        if case.status != Case.OPEN:
            raise CaseError(f"case {case.reference} is closed already")
        case.status, case.closed_at = Case.CLOSED, now()
        case.save(using=store.db.alias)
        store.log("case-closed", case.reference, who, kind=case.kind,
                  recordings_kept_until=(case.closed_at + periods[case.kind]).isoformat())


@dataclass(frozen=True)
class Keeping:
    """Why a case keeps a recording: the case, and until when (None: while it is open)."""

    case: Case
    until: datetime | None


def keeping(recording: Recording, at: datetime, periods: dict[str, timedelta]) -> Keeping | None:
    """The case that keeps ``recording`` longest at ``at``: an open one, else the closed one whose period
    ends last; None when no case keeps it (any more)."""
    latest: tuple[datetime, Case] | None = None
    for case in recording.cases.all():
        if case.closed_at is None:  # open
            return Keeping(case, None)
        until = case.closed_at + periods[case.kind]
        if until > at and (latest is None or until > latest[0]):
            latest = (until, case)
    return Keeping(latest[1], latest[0]) if latest is not None else None
