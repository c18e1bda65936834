"""Verify's own rules around the vectors: which folders are recordings, which audit log covers them,
and the recording-level checks (device keys, chain, duplicates, cut files) with the exact words an
evidence officer reads. Fast (no simulator), so mutation testing runs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storage.keys import key_id
from storage.report import RecordingReport
from storage.segment_format import MAGIC
from storage.verify import audit_dir_for, check_recording, find_recordings, verify_tree
from tests.vectors.make_vectors import (
    DEVICE,
    DEVICE_ID,
    OTHER_DEVICE,
    RECORDING,
    Recording,
    _roll_cut,
    _segment_from,
    cut,
    frames,
    interrupt,
    write_audit,
    write_recording,
)

TRUSTED = {DEVICE_ID: DEVICE.public_key()}


@pytest.fixture
def data(tmp_path) -> Path:
    """A data dir with the vectors' three-segment recording and its audit log (stopped cleanly)."""
    write_recording(Recording(), tmp_path / "recordings")
    write_audit(tmp_path, Recording())
    return tmp_path


def folder(data: Path) -> Path:
    return data / "recordings" / RECORDING


def test_a_data_dir_its_recordings_folder_and_one_recording_are_all_found(data):
    assert find_recordings(data) == [folder(data)]
    assert find_recordings(data / "recordings") == [folder(data)]
    assert find_recordings(folder(data)) == [folder(data)]


def test_an_empty_folder_beside_the_recordings_is_not_a_recording(data):
    (data / "recordings" / "20260105T100000Z-empty").mkdir()  # the camera died between mkdir and the header
    assert find_recordings(data) == [folder(data)]


def test_the_audit_log_of_a_data_dir_covers_one_of_its_recordings_verified_alone(data):
    assert audit_dir_for(data) == data / "audit"
    assert audit_dir_for(folder(data)) == data / "audit"
    shutil.rmtree(data / "audit")
    assert audit_dir_for(data) == data / "audit", "a data dir with recordings only still has its own audit dir"
    assert verify_tree(folder(data), TRUSTED).problems == [f"{RECORDING}: audit: missing: no audit log covers "
                                                           "this recording"]


def test_an_empty_audit_folder_is_no_audit_log(data):
    for log in (data / "audit").iterdir():
        log.unlink()
    assert verify_tree(data, TRUSTED).problems == [f"{RECORDING}: audit: missing: no audit log covers this recording"]


def test_a_complete_recording_reports_its_first_segment_and_duration(data):
    report = check_recording(folder(data), TRUSTED)
    assert report.first is report.segments[0] and report.first.sequence == 0
    assert report.duration_s() == pytest.approx(5.5 - 1 / 30, abs=0.01)
    assert RecordingReport(folder(data)).duration_s() == 0.0 and RecordingReport(folder(data)).first is None


def test_segments_signed_by_two_trusted_device_keys_are_foreign(data):
    _segment_from(Recording(device=OTHER_DEVICE), 1, folder(data) / "seg-000001.bcs")
    both = {**TRUSTED, key_id(OTHER_DEVICE.public_key()): OTHER_DEVICE.public_key()}
    problems = check_recording(folder(data), both).problems
    assert f"{RECORDING}: foreign: segments signed by 2 different device keys" in problems


def test_a_broken_chain_names_the_segment_it_does_not_follow(data):
    _segment_from(Recording(variant="other "), 1, folder(data) / "seg-000001.bcs")
    assert check_recording(folder(data), TRUSTED).problems == [
        f"{RECORDING}/seg-000001.bcs: chain broken: does not follow segment 0",
        f"{RECORDING}/seg-000002.bcs: chain broken: does not follow segment 1",
    ]


def test_a_second_copy_of_a_sequence_number_is_reported_and_the_first_is_kept(data):
    _segment_from(Recording(variant="other "), 1, folder(data) / "seg-000003.bcs")
    report = check_recording(folder(data), TRUSTED)
    assert report.problems == [f"{RECORDING}/seg-000003.bcs: reordered: holds segment 1",
                               f"{RECORDING}/seg-000003.bcs: duplicated: segment 1 appears twice"]
    assert [s.path.name for s in report.segments] == ["seg-000000.bcs", "seg-000001.bcs", "seg-000002.bcs"]


def test_a_power_cut_at_a_roll_then_the_recovery_is_notes_only(tmp_path):
    paths = write_recording(Recording(), tmp_path / "recordings")
    _roll_cut(None, keep_next_header=True)(paths, tmp_path)
    interrupt(paths[1])  # closes segment 1 and the header-only segment 2, each with an interrupted trailer
    report = check_recording(paths[1].parent, TRUSTED)
    assert report.problems == []
    assert [n.split(": ")[1] for n in report.notes] == ["interrupted", "interrupted"]


def test_a_recording_cut_before_its_first_header_recorded_nothing_and_says_so(tmp_path):
    paths = write_recording(Recording(segments=(1.0,)), tmp_path / "recordings")
    cut(paths[0], 10)
    report = check_recording(paths[0].parent, TRUSTED)
    assert report.problems == [] and report.segments == []
    assert len(report.notes) == 1 and report.notes[0].endswith("the power cut came as the recording began, "
                                                              "nothing was recorded")


def test_a_cut_file_after_a_missing_segment_is_truncated_in_the_middle(data):
    paths = sorted(folder(data).glob("*.bcs"))
    paths[2].unlink()
    cut(paths[1], frames(paths[1])[-1][0])  # segment 1 without its trailer: the recording was cut there...
    (folder(data) / "seg-000003.bcs").write_bytes(MAGIC[:3])  # ...but a file two rolls later exists
    problems = check_recording(folder(data), TRUSTED).problems
    assert any(p.startswith(f"{RECORDING}/seg-000003.bcs: truncated in the middle of the recording") for p in problems)


def test_intact_to_names_the_trailers_last_moment_or_the_chunks_before_the_cut(data):
    paths = sorted(folder(data).glob("*.bcs"))
    paths[2].unlink()  # segment 1 is complete but not final: intact to its last packet's UTC
    cut(paths[1], frames(paths[1])[-1][0])
    (note,) = check_recording(folder(data), TRUSTED).notes
    assert note.endswith("intact to chunk 2 of the segment begun 2026-01-05T08:00:02.000Z; lost: what followed")
    write_recording(Recording(recording_id="20260105T090000Z-x", segments=(2.0, 1.0)), data / "more")
    lost_next = data / "more" / "20260105T090000Z-x"
    (lost_next / "seg-000001.bcs").unlink()
    (note,) = check_recording(lost_next, TRUSTED).notes
    assert note.endswith("intact to 2026-01-05T08:00:01.984Z")


def test_a_recording_with_only_an_unreadable_file_reports_that_file(tmp_path):
    recording = tmp_path / RECORDING
    recording.mkdir()
    (recording / "seg-000000.bcs").write_bytes(b"not a segment at all")
    assert check_recording(recording, TRUSTED).problems == [
        f"{RECORDING}/seg-000000.bcs: changed: not a segment file (unknown format)"]


def test_a_header_only_segment_after_a_roll_must_still_follow_its_predecessor(data):
    """Cut right after a roll: segment 2 holds only its header. That is a power cut's trace, unless the
    header is not the one segment 1 rolled into (another segment 2 of the same recording and key)."""
    paths = sorted(folder(data).glob("*.bcs"))
    _segment_from(Recording(variant="other "), 2, paths[2])
    cut(paths[2], frames(paths[2])[0][1])
    assert check_recording(folder(data), TRUSTED).problems == [
        f"{RECORDING}/seg-000002.bcs: chain broken: does not follow segment 1"]
