"""Checks recordings and audit logs with public keys only, and says what is wrong by file and kind."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from storage.audit import AuditReport, verify_audit
from storage.crosscheck import cross_check
from storage.identifiers import pts_utc
from storage.keys import key_id, load_device_public
from storage.layout import find_recordings
from storage.report import RecordingReport
from storage.segment_format import ZERO_HASH
from storage.segment_reader import Segment, SegmentCut, SegmentError, read_lean, verify_device_key

SEGMENT_NAME = re.compile(r"seg-(\d{6})\.bcs$")


def trusted_device_keys(paths: list[Path]) -> dict[str, ed25519.Ed25519PublicKey]:
    keys = {}
    for path in paths:
        key = load_device_public(path)
        keys[key_id(key)] = key
    return keys


def check_recording(directory: Path, trusted: dict[str, ed25519.Ed25519PublicKey],
                    reader: Callable[[Path], Segment] = read_lean) -> RecordingReport:
    """``reader`` reads one segment: an offload passes one that hands out segments it already checked
    while the transfer was still running."""
    report = RecordingReport(directory)
    by_sequence: dict[int, Segment] = {}
    cut: dict[int, SegmentCut] = {}
    """Files cut before their header was signed, by the sequence their name gives."""
    for path in sorted(directory.glob("*.bcs")):
        name = path.name
        match = SEGMENT_NAME.search(name)
        try:
            segment = reader(path)
        except SegmentCut as exc:
            if match is not None:
                cut[int(match.group(1))] = exc
            else:
                report.problems.append(f"{directory.name}/{exc}")
            continue
        except SegmentError as exc:
            report.problems.append(f"{directory.name}/{exc}")
            continue
        where = f"{directory.name}/{name}"
        if segment.damage:
            report.problems.append(f"{where}: changed: {segment.damage}")
            continue
        if (why := verify_device_key(segment, trusted)) is not None:
            report.problems.append(f"{where}: foreign: {why}")
            continue
        if segment.header.get("recording_id") != directory.name:
            report.problems.append(f"{where}: foreign: belongs to recording {segment.header.get('recording_id')}")
            continue
        if match is None or int(match.group(1)) != segment.sequence:
            report.problems.append(f"{where}: reordered: holds segment {segment.sequence}")
        if segment.sequence in by_sequence:
            report.problems.append(f"{where}: duplicated: segment {segment.sequence} appears twice")
            continue
        by_sequence[segment.sequence] = segment
    _check_sequence(report, by_sequence)
    _check_cut_files(report, by_sequence, cut)
    return report


def _check_sequence(report: RecordingReport, by_sequence: dict[int, Segment]) -> None:
    name = report.directory.name
    if not by_sequence:
        return
    devices = {s.header["device_key_id"] for s in by_sequence.values()}
    if len(devices) > 1:
        report.problems.append(f"{name}: foreign: segments signed by {len(devices)} different device keys")
    last = max(by_sequence)
    for seq in range(last + 1):
        segment = by_sequence.get(seq)
        if segment is None:
            report.problems.append(f"{name}: missing: segment {seq}")
            continue
        report.segments.append(segment)
        before = by_sequence.get(seq - 1)
        expected = ZERO_HASH if seq == 0 else before.hash if before is not None and _closed(before, segment) else None
        if expected is not None and segment.header.get("prev_segment_hash") != expected:
            report.problems.append(f"{segment_name(segment)}: chain broken: does not follow segment {seq - 1}")
        if segment.trailer is not None and segment.trailer.get("interrupted"):
            report.notes.append(f"{segment_name(segment)}: interrupted: finalised at start-up after a firmware "
                                f"restart or power cut; {segment.chunk_count} chunk(s) intact")
        if segment.trailer is None:
            _check_unfinished(report, segment, by_sequence.get(seq + 1), seq == last)
        else:
            report.sound_gaps.extend(_sound_gaps(segment))
    tail = by_sequence[last]
    if tail.trailer is not None and not tail.trailer.get("final"):
        report.notes.append(f"{segment_name(tail)}: next segment lost: complete but not final, the recording "
                            f"ends here (power cut at a segment roll); intact to {intact_until(tail)}")


SOUND_GAPS_LISTED = 20
"""Per segment; the rest are counted (a segment holds at most a minute: more than this is a broken mic)."""


def _sound_gaps(segment: Segment) -> list[str]:
    listed = segment.trailer.get("sound_gaps") if segment.trailer else None
    gaps = [g for g in listed if isinstance(g, dict) and isinstance(g.get("s"), int | float)
            and isinstance(g.get("utc"), str)] if isinstance(listed, list) else []
    lines = [f"{segment_name(segment)}: sound missing for {float(g['s']):.1f} s from {str(g['utc'])[:32]} (the "
             "microphone lost it; the picture is whole)" for g in gaps[:SOUND_GAPS_LISTED]]
    if len(gaps) > SOUND_GAPS_LISTED:
        lines.append(f"{segment_name(segment)}: and {len(gaps) - SOUND_GAPS_LISTED} more gaps in the sound")
    return lines


def _closed(segment: Segment, following: Segment) -> bool:
    """Whether ``segment`` got the trailer ``following`` names the hash of. A power cut between the next
    header and this trailer leaves it without one, or, once the camera restarted, with the recovery's
    ``interrupted`` trailer; the next segment then holds nothing but its header."""
    if segment.trailer is None:
        return False
    return not (segment.trailer.get("interrupted") and following.chunk_count == 0)


def _check_unfinished(report: RecordingReport, segment: Segment, following: Segment | None, last: bool) -> None:
    """A segment without a trailer is a power cut's tail when it is the last one, or when the only one
    after it holds nothing but its header (the cut came between the next header and this trailer)."""
    tail = f", then {segment.tail}" if segment.tail else ""
    intact = f"{segment.chunk_count} chunk(s) intact{tail}; intact to {intact_until(segment)}"
    rolled = following is not None and following.trailer is None and following.chunk_count == 0
    if last or rolled:
        report.notes.append(f"{segment_name(segment)}: truncated (power cut): {intact}; lost: what followed")
    else:
        report.problems.append(f"{segment_name(segment)}: truncated in the middle of the recording: {intact}")


def _check_cut_files(report: RecordingReport, by_sequence: dict[int, Segment], cut: dict[int, SegmentCut]) -> None:
    """A file cut before its header is harmless only as the last file of an unfinished recording."""
    name = report.directory.name
    last = max(by_sequence, default=-1)
    tail = by_sequence.get(last)
    for seq, exc in sorted(cut.items()):
        where, what = f"{name}/{exc.file}", f"{exc.kind} ({exc.detail})"
        if seq > last and tail is not None and tail.trailer is not None and tail.trailer.get("final"):
            report.problems.append(f"{where}: extra: a file after the final segment, {what}")
        elif seq != last + 1 or seq != max(cut):
            report.problems.append(f"{where}: truncated in the middle of the recording: {what}")
        elif tail is None:
            report.notes.append(f"{where}: {exc.kind}: {exc.detail}; the power cut came as the recording began, "
                                "nothing was recorded")
        else:
            report.notes.append(f"{where}: {exc.kind}: {exc.detail}; power cut at a segment roll, intact to "
                                f"{intact_until(tail)}")
    if not by_sequence and not cut and not report.problems:
        report.problems.append(f"{name}: missing: no segments")


def intact_until(segment: Segment) -> str:
    """The last moment a segment is known to hold, as far as its public parts tell: its trailer's last
    packet, or (cut before the trailer) its start and its intact chunks; export names the exact time."""
    last_pts = segment.trailer.get("last_pts_us") if segment.trailer else None
    moment = pts_utc(segment.header, last_pts) if isinstance(last_pts, int) else None
    return moment or f"chunk {segment.chunk_count} of the segment begun {segment.header.get('started_utc')}"


def segment_name(segment: Segment) -> str:
    return f"{segment.path.parent.name}/{segment.path.name}"


def audit_dir_for(root: Path) -> Path:
    """The audit folder that covers ``root``: a data dir's, or that of the data dir a folder lies in."""
    if (root / "recordings").is_dir() or (root / "audit").is_dir():
        return root / "audit"
    if any(root.glob("*.bcs")):
        return root.parent.parent / "audit"
    return root.parent / "audit"


@dataclass
class TreeReport:
    recordings: list[RecordingReport]
    audit: AuditReport | None

    @property
    def problems(self) -> list[str]:
        return [p for r in self.recordings for p in r.problems] + (self.audit.problems if self.audit else [])

    @property
    def notes(self) -> list[str]:
        return [n for r in self.recordings for n in r.notes + r.sound_gaps] + (self.audit.notes if self.audit else [])


def verify_tree(root: Path, trusted: dict[str, ed25519.Ed25519PublicKey], at_store: bool = False,
                reader: Callable[[Path], Segment] = read_lean) -> TreeReport:
    """Every recording under ``root`` checked on its own and against the audit log that covers it.

    ``at_store``: the tree was offloaded, so a recording without an end is not explained by the camera
    still recording or by a power cut the camera has not yet recovered from.
    """
    reports = [check_recording(d, trusted, reader) for d in find_recordings(root)]
    audit_dir = audit_dir_for(root)
    audit = verify_audit(audit_dir, trusted) if audit_dir.is_dir() and any(audit_dir.glob("*.jsonl")) else None
    cross_check(reports, audit, at_store)
    return TreeReport(reports, audit)
