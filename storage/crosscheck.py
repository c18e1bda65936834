"""Recordings against the camera's signed audit log: the second witness to how each recording ended.

A power cut and a deliberate cut of a recording's tail leave the same segments behind. The audit log
tells them apart: a clean stop is a ``recording`` line with the segment count and duration, a crash is
a ``recovery`` line at the next start, and a firmware that went on (a new start, a transition out of
recording, another recording) without either means the end of this one was removed.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.assignment import PSEUDONYM
from storage.audit import AuditReport
from storage.audit_schema import ASSIGNED, RECORDING_STARTED, RECOVERY, START, STOP, TRANSITION, UNASSIGNED
from storage.report import RecordingReport

DURATION_TOLERANCE_S = 1.0


@dataclass
class _Story:
    """What the audit log says about one recording."""

    started: str | None = None
    stop: tuple[str, dict[str, object]] | None = None
    recovered: str | None = None
    went_on: str | None = None


def _stories(audit: AuditReport) -> dict[str, _Story]:
    stories: dict[str, _Story] = {}
    current: str | None = None

    def story(recording: object) -> _Story:
        return stories.setdefault(str(recording), _Story())

    for where, entry in audit.entries:
        kind = entry.get("type")
        if kind == RECORDING_STARTED:
            if current is not None:
                story(current).went_on = story(current).went_on or where
            current = str(entry.get("recording"))
            story(current).started = where
        elif kind == STOP:
            story(entry.get("recording")).stop = (where, entry)
            current = None
        elif kind == RECOVERY:
            finalised = entry.get("finalised")
            closed = [str(f).split("/")[0] for f in finalised] if isinstance(finalised, list) else []
            for name in [entry.get("recording"), *closed]:
                if name:
                    story(name).recovered = where
        elif current is not None and (kind == START or (kind == TRANSITION and entry.get("from") == "recording")):
            story(current).went_on = story(current).went_on or where
    return stories


def cross_check(reports: list[RecordingReport], audit: AuditReport | None, at_store: bool) -> None:
    """Adds to each report what the audit log contradicts. ``audit`` is None where there is no log."""
    if audit is None:
        for report in reports:
            report.problems.append(f"{report.id}: audit: missing: no audit log covers this recording")
        return
    stories = _stories(audit)
    for report in reports:
        _check(report, stories.get(report.id), at_store)


def _check(report: RecordingReport, story: _Story | None, at_store: bool) -> None:
    name = report.id
    if story is None:
        report.problems.append(f"{name}: audit: the audit log has no entry for this recording "
                               "(its lines were removed, or the recording does not belong here)")
        return
    last = report.segments[-1] if report.segments else None
    finished = last is not None and last.trailer is not None and bool(last.trailer.get("final"))
    if story.stop is not None:
        where, stop = story.stop
        expected = stop.get("segments")
        if isinstance(expected, int) and expected != len(report.segments):
            report.problems.append(f"{name}: cut: the audit log ({where}) records {expected} segment(s), "
                                   f"{len(report.segments)} present")
        if last is not None and not finished:
            report.problems.append(f"{name}: cut: the audit log ({where}) records a clean stop, but the last "
                                   f"segment present ({last.path.name}) is not the final one")
        video_s = stop.get("video_s")
        if (isinstance(video_s, int | float) and not stop.get("failed") and finished
                and abs(video_s - report.duration_s()) > DURATION_TOLERANCE_S):
            report.problems.append(f"{name}: cut: the audit log ({where}) records {video_s:.1f} s, "
                                   f"the segments hold {report.duration_s():.1f} s")
        return
    if story.recovered is not None or finished:
        return  # a crash the next start closed, or a clean end whose stop line the power cut took
    if story.went_on is not None:
        report.problems.append(f"{name}: cut: the firmware went on ({story.went_on}) but the audit log records "
                               "neither a stop nor a recovery of this recording: its end was removed")
    elif at_store:
        report.problems.append(f"{name}: cut: arrived unfinished and the audit log shows no crash to explain it")


def camera_wearers(audit: AuditReport) -> dict[str, str]:
    """Recording id → the wearer the camera's log names when it began: the pseudonym of the last
    ``assigned`` line before its ``recording-started`` line, or "" after ``unassigned``. A recording
    begun before the camera was ever told (or after a malformed line) is absent: the camera has no word."""
    said: str | None = None
    words: dict[str, str] = {}
    for _, entry in audit.entries:
        kind, officer = entry.get("type"), entry.get("officer")
        if kind == ASSIGNED:
            said = officer if isinstance(officer, str) and PSEUDONYM.match(officer) else None
        elif kind == UNASSIGNED:
            said = ""
        elif kind == RECORDING_STARTED and said is not None:
            words[str(entry.get("recording"))] = said
    return words
