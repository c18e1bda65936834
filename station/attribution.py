"""Who wore the camera when a recording began: the assignment whose interval holds the recording's start.
The station's assignment record is the authority; no assignment is "unassigned" (the camera recorded,
safety first, and the evidence office is told), two are an overlap to be cleared up by hand. The camera's
own signed word (``Recording.camera_wearer``, from its audit log) corroborates it, or disagrees, or is
missing: each is shown."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q

from station.models import Assignment, Officer, Recording
from station.store import Store

ASSIGNED, UNASSIGNED, OVERLAP = "assigned", "unassigned", "overlap"
AGREES, DISAGREES, SILENT = "agrees", "disagrees", "silent"


@dataclass(frozen=True)
class Wearer:
    officer: Officer | None
    state: str
    camera: str = SILENT
    """What the camera's audit log says against the station's record."""
    camera_named: Officer | None = None
    """Where the camera disagrees: the officer its pseudonym belongs to (None: nobody, or unknown)."""

    def german(self) -> str:
        """The wearer as the hand-over sheet names them (the wearer is the witness)."""
        if self.officer is not None:
            return f"{self.officer.name} (Personalnummer {self.officer.personnel_number})"
        if self.state == OVERLAP:
            return "unklar: die Kamera war zu Beginn der Aufnahme mehreren Personen zugeordnet"
        return "nicht zugeordnet: die Kamera war zu Beginn der Aufnahme niemandem ausgegeben"

    def camera_german(self) -> str:
        """The camera's corroboration, as the hand-over sheet states it."""
        if self.camera == AGREES:
            return "von der Kamera bestätigt (signiertes Protokoll der Kamera)"
        if self.camera == SILENT:
            return "die Kamera hatte keine Zuordnung gemeldet bekommen"
        named = f"{self.camera_named.name} (Personalnummer {self.camera_named.personnel_number})" \
            if self.camera_named is not None else "eine andere Zuordnung"
        return f"Abweichung: das Protokoll der Kamera nennt {named}"


def wearer(store: Store, recording: Recording) -> Wearer:
    return wearers(store, [recording])[recording.pk]


def wearers(store: Store, recordings: Iterable[Recording]) -> dict[int, Wearer]:
    """Each recording's wearer, by primary key, in one query for a whole page of recordings."""
    recordings = list(recordings)
    if not recordings:
        return {}
    wanted = Q()
    for recording in recordings:
        wanted |= covering(recording.started_utc) & Q(device_id=recording.device_id)
    found = list(store.db.query(Assignment).select_related("officer").filter(wanted))
    stations = {}
    for recording in recordings:
        held = [a for a in found if a.device_id == recording.device_id and _holds(a, recording.started_utc)]
        stations[recording.pk] = Wearer(held[0].officer, ASSIGNED) if len(held) == 1 else \
            Wearer(None, OVERLAP if held else UNASSIGNED)
    named = {o.pseudonym: o for o in store.db.query(Officer).filter(
        pseudonym__in={r.camera_wearer for r in recordings if r.camera_wearer})}
    return {recording.pk: _corroborated(stations[recording.pk], recording.camera_wearer, named)
            for recording in recordings}


def _corroborated(station: Wearer, said: str | None, named: dict[str, Officer]) -> Wearer:
    """The station's wearer with the camera's word beside it: the same pseudonym (or both nobody) agrees."""
    if said is None:
        return station
    expected = station.officer.pseudonym if station.officer is not None else ""
    if station.state != OVERLAP and said == expected:
        return Wearer(station.officer, station.state, AGREES)
    return Wearer(station.officer, station.state, DISAGREES, named.get(said))


def covering(moment: Any) -> Q:
    """Assignments whose interval holds ``moment`` (a time, or a reference to a recording's start)."""
    return Q(started_at__lte=moment) & (Q(ended_at__isnull=True) | Q(ended_at__gt=moment))


def _holds(assignment: Assignment, moment: datetime) -> bool:
    """``covering`` for one fetched assignment, to sort a page's assignments to its recordings."""
    return assignment.started_at <= moment and (assignment.ended_at is None or assignment.ended_at > moment)


def worn_by(store: Store, officers: Any) -> Exists:
    """A filter for recordings: begun while one of ``officers`` (a queryset) wore the camera."""
    return Exists(store.db.query(Assignment).filter(covering(OuterRef("started_utc")), device=OuterRef("device"),
                                            officer__in=officers))
