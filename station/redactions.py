"""Redactions for disclosure (``Redaction``): an evidence officer starts one under an approved viewing
window of their own; the job runner finds the faces (``analyse_job``); the officer reviews them and says
what stays visible, what else is covered and what is muted (``review``); the runner renders the derivative
(``render_job``); another person approves it (four eyes) before it may be taken out (``decide``). Each
step is a custody line, each failure is said on the row, and the recording itself is never changed.

The files live in ``<store>/private/redactions/<pk>/`` (0700): the decrypted source while the review may
need it, the faces found, and the derivative. Approval removes the source; deletion, or the recording's
own deletion, removes everything.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from bodycam.errors import BodycamError
from station.jobs import enqueue, runner
from station.models import Account, Recording, Redaction, ViewRequest
from station.redaction.boxes import Box
from station.redaction.plan import MARGIN, ManualBox, Plan, Span
from station.redaction.tracks import Track
from station.store import Store
from station.stored import PROBLEMS, source, verified
from storage.export import export_recording

ENDED = "station.redactions.job_ended"
RUNNER = "job-runner"
"""Who the custody log names for what the job runner did."""
PROGRESS_EVERY_S = 1.0
MAX_ITEMS = 200
"""At most this many boxes, ranges or visible tracks in a plan: a form field is hostile."""
STYLES = ("blur", "box")
MAX_MARGIN = 1.0
"""A face's box grown by at most its own width and height on each side."""
SOUND_BEFORE_S = 5.0
"""How much longer than the recording's pictures its MP4 may be: sound from before the first picture."""


class RedactionError(BodycamError, ValueError):
    """A step the rules refuse, or a plan that is not one; the message names what and why."""


def folder(store: Store, redaction: Redaction) -> Path:
    """Where the redaction's files are; the analysis makes it (``_made``)."""
    return store.root / "private" / "redactions" / str(redaction.pk)


def _made(store: Store, redaction: Redaction) -> Path:
    """The redaction's folder, made with its parents, the station's alone."""
    path = folder(store, redaction)
    path.mkdir(parents=True, exist_ok=True)
    for private in (path.parent.parent, path.parent, path):
        os.chmod(private, 0o700)
    return path


def source_path(store: Store, redaction: Redaction) -> Path:
    return folder(store, redaction) / "source.mp4"


def tracks_path(store: Store, redaction: Redaction) -> Path:
    return folder(store, redaction) / "faces.json"


def derivative_path(store: Store, redaction: Redaction) -> Path:
    return folder(store, redaction) / "redacted.mp4"


def create(store: Store, grant: ViewRequest, who: User, purpose: str) -> Redaction:
    """A redaction of the grant's recording, for ``purpose``; its analysis is queued."""
    recording = grant.recording
    with transaction.atomic(using=store.db.alias):
        row = store.db.query(Redaction).create(recording=recording, request=grant, source_files=recording.files,
                                               purpose=purpose, created_by=who, created_at=timezone.now())
        store.log("redaction-created", recording.ref, who.get_username(), redaction=row.pk, request=grant.pk,
                  purpose=purpose)
        transaction.on_commit(lambda: enqueue("station.redactions.analyse_job", row.pk, row.attempt, ended=ENDED),
                              using=store.db.alias)
    return row


def review(store: Store, row: Redaction, who: User, plan: dict[str, object]) -> None:
    """The reviewer's decisions (checked: ``plan_from``); the derivative is queued for rendering."""
    if row.status not in (Redaction.REVIEW, Redaction.AWAITING):
        raise RedactionError(f"redaction {row.pk} is {row.status}: it can be reviewed once its faces are found")
    width, height, _ = _faces(store, row)
    checked = plan_from(plan, _duration(row.recording), width, height)
    with transaction.atomic(using=store.db.alias):
        row.plan, row.reviewed_by, row.reviewed_at = plan, who, timezone.now()
        row.status, row.attempt, row.progress, row.seconds_left = Redaction.QUEUED, row.attempt + 1, 0.0, None
        row.sha256, row.decided_by, row.decided_at, row.decision_note = "", None, None, ""
        row.save(using=store.db.alias)
        store.log("redaction-reviewed", row.recording.ref, who.get_username(), redaction=row.pk,
                  visible_faces=sorted(checked.visible_tracks), boxes=len(checked.manual),
                  whole_frames=len(checked.whole_frames), muted=len(checked.muted), mute_all=checked.mute_all,
                  style=checked.style)
        transaction.on_commit(lambda: enqueue("station.redactions.render_job", row.pk, row.attempt, ended=ENDED),
                              using=store.db.alias)


def decide(store: Store, row: Redaction, who: User, approve: bool, note: str) -> None:
    """The second person's decision on the rendered derivative: approved, it may be taken out (and the
    decrypted source goes); rejected, it goes back to its reviewer with ``note``."""
    if row.status != Redaction.AWAITING:
        raise RedactionError(f"redaction {row.pk} is {row.status}: only a rendered derivative is decided on")
    if who.pk in (row.created_by_id, row.reviewed_by_id):
        raise RedactionError(f"redaction {row.pk}: {who.get_username()} made or reviewed it and cannot approve it")
    for user in (row.reviewed_by or row.created_by, who):
        if Account.number_of(user) is None:
            raise RedactionError(f"redaction {row.pk}: {user.get_username()} has no personnel number; the four-eyes "
                                 "rule needs two people")
    with transaction.atomic(using=store.db.alias):
        row.decided_by, row.decided_at, row.decision_note = who, timezone.now(), note
        row.status = Redaction.APPROVED if approve else Redaction.REVIEW
        row.save(using=store.db.alias)
        store.log("redaction-approved" if approve else "redaction-rejected", row.recording.ref, who.get_username(),
                  redaction=row.pk, sha256=row.sha256, note=note)
    if approve:
        source_path(store, row).unlink(missing_ok=True)


def delete(store: Store, row: Redaction, who: str | None, reason: str) -> None:
    """Its files removed and its row kept as ``deleted`` (the custody log names it)."""
    shutil.rmtree(folder(store, row), ignore_errors=True)
    with transaction.atomic(using=store.db.alias):
        row.status = Redaction.DELETED
        row.save(using=store.db.alias)
        store.log("redaction-deleted", row.recording.ref, who, redaction=row.pk, sha256=row.sha256, reason=reason)


def delete_with(store: Store, recording: Recording, who: str | None) -> int:
    """At the recording's deletion: every redaction of it goes too."""
    rows = store.db.query(Redaction).filter(recording=recording).exclude(status=Redaction.DELETED)
    for row in rows:
        delete(store, row, who, "the recording was deleted")
    return len(rows)


# -- the job runner's side ---------------------------------------------------------------------------------------

def analyse_job(pk: int, attempt: int) -> None:
    """Export the verified recording into the redaction's folder and find its faces."""
    from station.redaction.analyse import analyse
    from station.redaction.detector import FaceDetector

    store = runner().store
    row = _started(store, pk, attempt, Redaction.ANALYSING)
    if row is None:
        return
    if row.recording.files != row.source_files:
        _failed(store, row, "changed", f"{row.recording.ref}: its files are not those the redaction was started on")
        return
    _made(store, row)
    try:
        export_recording(verified(source(store, row.recording)), runner().agency_key(), source_path(store, row))
    except PROBLEMS as exc:
        _failed(store, row, "unverified", str(exc))
        return
    try:
        found = analyse(source_path(store, row), FaceDetector(), _reporter(store, row))
    except (OSError, ValueError) as exc:
        _failed(store, row, "unreadable", str(exc))
        return
    faces = [{"number": t.number, "frames": t.frames, "boxes": [[round(v, 1) for v in (b.x0, b.y0, b.x1, b.y1)]
                                                                for b in t.boxes]} for t in found.tracks]
    tracks_path(store, row).write_text(json.dumps({"width": found.width, "height": found.height,
                                                   "frames": found.frames, "fps": found.fps,
                                                   "start_s": found.start_s, "faces": faces}), encoding="utf-8")
    with transaction.atomic(using=store.db.alias):
        row.status, row.frames, row.progress, row.seconds_left = Redaction.REVIEW, found.frames, 100.0, None
        row.save(using=store.db.alias)
        store.log("redaction-analysed", row.recording.ref, RUNNER, redaction=row.pk, faces=len(faces),
                  frames=found.frames)


def render_job(pk: int, attempt: int) -> None:
    """Render the derivative after the reviewer's plan."""
    from station.redaction.render import render

    store = runner().store
    row = _started(store, pk, attempt, Redaction.RENDERING)
    if row is None:
        return
    try:
        width, height, faces = _faces(store, row)
        plan = plan_from(row.plan, _duration(row.recording), width, height)
        tracks = read_tracks(faces)
        made = render(source_path(store, row), tracks, plan, derivative_path(store, row), _reporter(store, row),
                      provenance={"redacted_copy_of": row.recording.recording_id, "camera": row.recording.device.name,
                                  "redaction": row.pk, "source_files_blake2b": row.source_files,
                                  "plan": row.plan, "station": "bodycam evidence station"})
        os.chmod(made.path, 0o600)
    except (OSError, ValueError) as exc:  # RedactionError among them: the faces' file or the plan unreadable
        _failed(store, row, "unreadable", str(exc))
        return
    with transaction.atomic(using=store.db.alias):
        row.status, row.sha256, row.covered_frames = Redaction.AWAITING, made.sha256, made.covered_frames
        row.progress, row.seconds_left = 100.0, None
        row.save(using=store.db.alias)
        store.log("redaction-rendered", row.recording.ref, RUNNER, redaction=row.pk, sha256=made.sha256,
                  frames=made.frames, covered_frames=made.covered_frames)


def take_up(store: Store) -> int:
    """At the runner's start: rows a stopped runner left running wait again (their job is taken up again)."""
    return store.db.query(Redaction).filter(status__in=(Redaction.ANALYSING, Redaction.RENDERING)).update(
        status=Redaction.QUEUED, progress=0.0, seconds_left=None)


def _started(store: Store, pk: int, attempt: int, status: str) -> Redaction | None:
    with transaction.atomic(using=store.db.alias):
        row = store.db.query(Redaction).select_for_update().select_related("recording__device").get(pk=pk)
        if row.attempt != attempt or row.status not in (Redaction.QUEUED, status):
            return None  # an older run, or one that was deleted meanwhile
        row.status, row.progress, row.seconds_left, row.failure = status, 0.0, None, ""
        row.save(using=store.db.alias)
    return row


def _reporter(store: Store, row: Redaction) -> Callable[[int, int], None]:
    started = last = time.monotonic()

    def report(done: int, total: int) -> None:
        nonlocal last
        now = time.monotonic()
        if now - last < PROGRESS_EVERY_S or not total:
            return
        last = now
        share = min(done / total, 1.0)
        left = (now - started) * (1 - share) / share if share > 0 else None
        store.db.query(Redaction).filter(pk=row.pk, attempt=row.attempt).update(progress=round(100 * share, 1),
                                                                                seconds_left=left)
    return report


def _failed(store: Store, row: Redaction, kind: str, reason: str) -> None:
    """The job ended without a result: ``kind`` (a key of station.labels.REDACTION_FAILURES, what the page
    says in German) and the technical ``reason``."""
    with transaction.atomic(using=store.db.alias):
        row.status, row.failure, row.seconds_left = Redaction.FAILED, f"{kind}: {reason}"[:2000], None
        row.save(using=store.db.alias)
        store.log("redaction-failed", row.recording.ref, RUNNER, redaction=row.pk, kind=kind, reason=reason[:500])
    source_path(store, row).unlink(missing_ok=True)


# -- plans and faces from their JSON ------------------------------------------------------------------------------

def read_tracks(faces: dict[str, Any]) -> list[Track]:
    """The tracks of the faces' file as ``_faces`` read it."""
    return [Track(face["number"], face["frames"], [Box(*box) for box in face["boxes"]]) for face in faces["faces"]]


@dataclass(frozen=True)
class _Reader:
    """Reads one plan's JSON, naming the field of the first thing wrong."""

    width: float
    height: float
    duration: float

    def number(self, value: object, field: str, low: float, high: float) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) \
                or not low <= value <= high:
            raise RedactionError(f"{field}: {str(value)[:40]!r} is not a number from {low:g} to {high:g}")
        return float(value)

    def items(self, value: object, field: str) -> list[Any]:
        if not isinstance(value, list) or len(value) > MAX_ITEMS:
            raise RedactionError(f"{field}: a list of at most {MAX_ITEMS} is expected")
        return value

    def span(self, value: object, field: str) -> Span:
        pair = self.items(value, field)
        if len(pair) != 2:
            raise RedactionError(f"{field}: [from, to] in seconds is expected")
        start, end = (self.number(v, field, 0, self.duration) for v in pair)
        if end < start:
            raise RedactionError(f"{field}: ends before it starts")
        return Span(start, end)

    def box(self, value: object, field: str) -> Box:
        corners = self.items(value, field)
        if len(corners) != 4:
            raise RedactionError(f"{field}: [x0, y0, x1, y1] in pixels is expected")
        x0, x1 = sorted(self.number(v, field, 0, self.width) for v in corners[0::2])
        y0, y1 = sorted(self.number(v, field, 0, self.height) for v in corners[1::2])
        return Box(x0, y0, x1, y1)


def plan_from(data: object, duration: float, width: float, height: float) -> Plan:
    """The reviewer's plan from its JSON (a form field: hostile): visible face numbers, drawn boxes with
    their range, whole-frame and muted ranges, mute all, style, the margin around a face."""
    if not isinstance(data, dict):
        raise RedactionError("plan: a JSON object is expected")
    if unknown := sorted(set(data) - {"visible", "boxes", "whole", "muted", "mute_all", "style", "margin"}):
        raise RedactionError(f"plan: {unknown[0][:40]!r} is not part of a plan")
    reader = _Reader(width, height, duration)
    visible = frozenset(int(reader.number(n, "visible", 1, 10**6)) for n in reader.items(data.get("visible", []),
                                                                                          "visible"))
    boxes = []
    for index, drawn in enumerate(reader.items(data.get("boxes", []), "boxes")):
        field = f"boxes[{index}]"
        if not isinstance(drawn, dict):
            raise RedactionError(f"{field}: an object with span, start and end is expected")
        boxes.append(ManualBox(reader.span(drawn.get("span"), f"{field}.span"),
                               reader.box(drawn.get("start"), f"{field}.start"),
                               reader.box(drawn.get("end", drawn.get("start")), f"{field}.end")))
    style = data.get("style", "blur")
    if style not in STYLES:
        raise RedactionError(f"style: {str(style)[:20]!r} is not one of {', '.join(STYLES)}")
    mute_all = data.get("mute_all", False)
    if not isinstance(mute_all, bool):
        raise RedactionError("mute_all: true or false is expected")
    margin = reader.number(data.get("margin", MARGIN), "margin", 0.0, MAX_MARGIN)
    return Plan(visible_tracks=visible, manual=tuple(boxes), margin=margin,
                whole_frames=tuple(reader.span(s, f"whole[{i}]") for i, s in enumerate(reader.items(
                    data.get("whole", []), "whole"))),
                muted=tuple(reader.span(s, f"muted[{i}]") for i, s in enumerate(reader.items(
                    data.get("muted", []), "muted"))),
                mute_all=mute_all, style=str(style))


def _duration(recording: Recording) -> float:
    return float(recording.duration_s) + SOUND_BEFORE_S


def _faces(store: Store, row: Redaction) -> tuple[float, float, dict[str, Any]]:
    """The faces' file the analysis wrote: the video's width and height, and the file itself."""
    try:
        data = json.loads(tracks_path(store, row).read_text(encoding="utf-8"))
        return float(data["width"]), float(data["height"]), data
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RedactionError(f"redaction {row.pk}: its faces cannot be read ({exc}); start it again") from None


def job_ended(task: Any) -> None:
    """django-q's hook after each job: one that did not end by itself (stopped after the timeout, its
    worker killed) fails its row, which would otherwise wait forever."""
    if task.success:
        return
    pk, attempt = task.args
    store = runner().store
    row = store.db.query(Redaction).filter(pk=pk, attempt=attempt, status__in=Redaction.RUNNING).first()
    if row is not None:
        _failed(store, row, "stopped", str(task.result)[:500] or "no result")
