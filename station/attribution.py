"""Who wore the camera when a recording began: the assignment whose interval holds the recording's start.
The station's assignment record is the authority; no assignment is "unassigned" (the camera recorded,
safety first, and the evidence office is told), two are an overlap to be cleared up by hand."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q

from station.models import Assignment, Officer, Recording
from station.store import Store

ASSIGNED, UNASSIGNED, OVERLAP = "assigned", "unassigned", "overlap"


@dataclass(frozen=True)
class Wearer:
    officer: Officer | None
    state: str


def wearer(store: Store, recording: Recording) -> Wearer:
    found = list(store.db.query(Assignment).select_related("officer").filter(covering(recording.started_utc),
                                                                             device_id=recording.device_id)[:2])
    if len(found) == 1:
        return Wearer(found[0].officer, ASSIGNED)
    return Wearer(None, OVERLAP if found else UNASSIGNED)


def covering(moment: Any) -> Q:
    """Assignments whose interval holds ``moment`` (a time, or a reference to a recording's start)."""
    return Q(started_at__lte=moment) & (Q(ended_at__isnull=True) | Q(ended_at__gt=moment))


def worn_by(store: Store, officers: Any) -> Exists:
    """A filter for recordings: begun while one of ``officers`` (a queryset) wore the camera."""
    return Exists(store.db.query(Assignment).filter(covering(OuterRef("started_utc")), device=OuterRef("device"),
                                            officer__in=officers))
