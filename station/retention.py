"""Retention in the evidence store: recordings older than the period are deleted unless held.

The period is the law's (two weeks, §15c PolG NRW via §24 OBG) unless a deployment sets another.
Every hold, release and deletion is a custody-log line with who, when, why and the legal basis.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bodycam.errors import EXIT_USAGE, BodycamError
from station.store import Store, now

if TYPE_CHECKING:
    from station.models import Recording

DURATION = re.compile(r"(\d+)([dh])")
REVIEW_PERIOD = timedelta(hours=72)
"""How long a recording stays after it arrived, whatever its age: footage a camera brings in after its
deletion date (an officer on leave, a camera in a drawer) can still be looked at and held."""
LEGAL_BASIS = ("§15c PolG NRW (i. V. m. §24 OBG): Löschung nach Ablauf der Speicherfrist, soweit nicht zur "
               "Beweissicherung benötigt")
"""In German: it is the office's record of why a recording was deleted, read by German auditors."""


class RetentionError(BodycamError, ValueError):
    exit_code = EXIT_USAGE
    pass


def parse_period(text: str) -> timedelta:
    match = DURATION.fullmatch(text)
    if not match:
        raise RetentionError(f"retention period {text!r}: write days or hours, e.g. 14d or 36h")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(days=amount) if unit == "d" else timedelta(hours=amount)


def find_recording(store: Store, ref: str) -> Recording:
    """A stored recording by ``<device key id>/<recording id>`` or by its id alone when that is unique."""
    from station.models import Recording

    query = store.db.query(Recording).select_related("device").filter(deleted_at__isnull=True)
    device_key_id, _, recording_id = ref.rpartition("/")
    matches = list(query.filter(recording_id=recording_id, **({"device__key_id": device_key_id}
                                                               if device_key_id else {}))[:2])
    if not matches:
        raise RetentionError(f"no recording {ref} in the store {store.root}")
    if len(matches) > 1:
        raise RetentionError(f"{ref} names recordings of several cameras: write <device key id>/{recording_id}")
    return matches[0]


def hold(store: Store, ref: str, reason: str, case: str = "", who: str | None = None) -> None:
    if not reason.strip():
        raise RetentionError("a hold needs a reason (case number, request)")
    with store.db.atomic():
        recording = find_recording(store, ref)
        recording.hold_reason, recording.hold_case = reason, case
        recording.held_at = now()
        recording.held_by = who or ""
        recording.save(using=store.db.alias)
        store.log("hold", recording.ref, who, reason=reason, case=case)


def release_hold(store: Store, ref: str, reason: str = "", who: str | None = None) -> None:
    with store.db.atomic():
        recording = find_recording(store, ref)
        if not recording.held:
            raise RetentionError(f"recording {ref} is not held")
        previous = recording.hold_reason
        recording.hold_reason, recording.hold_case, recording.held_at = "", "", None
        recording.save(using=store.db.alias)
        store.log("hold-released", recording.ref, who, reason=reason, was=previous)


@dataclass(frozen=True)
class PurgeResult:
    deleted: list[str]
    held: list[str]
    in_review: list[str]
    """Due by age, but arrived less than the review period ago."""
    in_case: list[tuple[str, str]] = field(default_factory=list)
    """Due by age, but kept by a case: (recording, file reference)."""


def purge(store: Store, older_than: timedelta, at: datetime | None = None, dry_run: bool = False,
          who: str | None = None, review: timedelta = REVIEW_PERIOD,
          case_periods: dict[str, timedelta] | None = None) -> PurgeResult:
    """Delete recordings that started more than ``older_than`` before ``at``, unless held, kept by a case
    (open, or closed less than its kind's period ago: ``case_periods``, default the settings') or arrived
    less than ``review`` before ``at``."""
    from django.conf import settings

    from station.cases import keeping
    from station.models import Recording
    from station.redactions import delete_with

    at = at or datetime.now(UTC)
    periods = case_periods or settings.BODYCAM_CASE_RETENTION
    deleted, held, in_review, in_case = [], [], [], []
    due = store.db.query(Recording).select_related("device").filter(deleted_at__isnull=True,
                                                                    started_utc__lt=at - older_than)
    for recording in due.order_by("started_utc", "pk"):
        if recording.held:
            held.append(recording.ref)
            continue
        if recording.received_at > at - review:
            in_review.append(recording.ref)
            continue
        if kept := keeping(recording, at, periods):
            in_case.append((recording.ref, kept.case.reference))
            continue
        deleted.append(recording.ref)
        if dry_run:
            continue
        with store.db.atomic():
            fresh = store.db.query(Recording).select_for_update().get(pk=recording.pk)
            if fresh.held:  # held while this purge ran
                deleted.pop()
                held.append(recording.ref)
                continue
            if kept := keeping(fresh, at, periods):  # attached to a case while this purge ran
                deleted.pop()
                in_case.append((recording.ref, kept.case.reference))
                continue
            fresh.deleted_at = now()
            fresh.save(using=store.db.alias)
            store.log("deleted", recording.ref, who, reason=f"retention {older_than.days} d",
                      legal_basis=LEGAL_BASIS, started_utc=recording.started_utc.isoformat())
        shutil.rmtree(store.recording_dir(recording.device.key_id, recording.recording_id), ignore_errors=True)
        delete_with(store, recording, who)  # its redacted copies follow it
    return PurgeResult(deleted, held, in_review, in_case)


def purge_assignments(store: Store, older_than: timedelta, at: datetime, dry_run: bool = False) -> int:
    """Delete the assignments that ended more than ``older_than`` before ``at`` and name the wearer of no
    stored recording: who wore which camera is kept for evidence, not as a record of staff (staff
    council). Each deletion is a deletion-log line naming the camera and the interval, not the person."""
    from django.db.models import Exists, OuterRef

    from station.models import Assignment, Recording

    worn = store.db.query(Recording).filter(device=OuterRef("device"), deleted_at__isnull=True,
                                            started_utc__gte=OuterRef("started_at"),
                                            started_utc__lt=OuterRef("ended_at"))
    due = (store.db.query(Assignment).select_related("device").filter(ended_at__lt=at - older_than)
           .exclude(Exists(worn)).order_by("started_at", "pk"))
    if dry_run:
        return due.count()
    count = 0
    for assignment in due:
        with store.db.atomic():
            if store.db.query(Assignment).filter(pk=assignment.pk).exclude(Exists(worn)).delete()[0]:
                count += 1  # not one a recording arriving meanwhile now needs
                store.log("assignment-deleted", assignment.device.name, None,
                          reason=f"retention {older_than.days} d", started=assignment.started_at.isoformat(),
                          ended=assignment.ended_at.isoformat() if assignment.ended_at else "")
    return count
