"""Verify cross-checks recordings with the signed audit log: honest power cuts stay NOTEs, every cut of a
recording's or the log's tail is a PROBLEM; audit files are ordered by their links, not names or clocks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from office.cli import main
from storage.audit import AuditLog, chain_order, verify_audit
from storage.canonical import canonical_json
from storage.keys import create_device_key, key_id, load_device_key, load_device_public
from storage.segment_format import FRAME_HEAD, SIGNATURE_LEN
from storage.segment_reader import read_segment
from tests.recordings import SHORT, copy_tree, record, short_config


@pytest.fixture(scope="module")
def twice(tmp_path_factory) -> Path:
    """A data dir with two recordings from two firmware runs (the second run's audit file is ``…Z-1``)."""
    data = tmp_path_factory.mktemp("twice") / "data"
    record(data, SHORT, short_config())
    record(data, SHORT.replace("3 press record", "5 press record"), short_config())
    return data


@pytest.fixture
def data(twice, tmp_path) -> Path:
    return copy_tree(twice, tmp_path / "data")


def verify(data: Path, capsys, *extra: str) -> tuple[int, str]:
    code = main(["evidence", "verify", str(data), "--device-key", str(data / "keys/device.pub"), *extra])
    return code, capsys.readouterr().out


def recordings(data: Path) -> list[Path]:
    return sorted((data / "recordings").iterdir())


def test_two_runs_with_the_same_clock_verify_although_names_sort_against_the_chain(data, capsys):
    names = sorted(p.name for p in (data / "audit").glob("*.jsonl"))
    assert names[0].endswith("-1.jsonl"), "the second run's file sorts first by name"
    assert [p.name for p in chain_order(data / "audit")] == names[::-1]
    code, out = verify(data, capsys)
    assert code == 0, out
    assert "2 of 2 recording(s) verify; 0 problem(s)" in out


def test_audit_files_written_with_a_clock_that_went_back_chain_in_the_order_written(tmp_path):
    keys = tmp_path / "keys"
    create_device_key(keys)
    key = load_device_key(keys / "device.key")
    for stamp in ("2026-01-05T10:00:00.000Z", "2025-12-31T23:00:00.000Z", "2026-01-05T10:00:00.000Z"):
        log = AuditLog(tmp_path / "audit", key, lambda stamp=stamp: stamp)
        log.append({"type": "start", "t": 0})
        log.close()
    report = verify_audit(tmp_path / "audit", {key_id(key.public_key()): load_device_public(keys / "device.pub")})
    assert report.problems == [] and report.lines == 3
    assert [p.name for p in chain_order(tmp_path / "audit")] == [
        "20260105T100000000Z.jsonl", "20251231T230000000Z.jsonl", "20260105T100000000Z-1.jsonl"]


def cut_trailer(segment: Path) -> None:
    """Remove the trailer frame: the file now ends cleanly at a frame boundary, as if never finished."""
    trailer = read_segment(segment).trailer
    assert trailer is not None
    size = segment.stat().st_size - (FRAME_HEAD.size + len(canonical_json(trailer)) + SIGNATURE_LEN)
    segment.write_bytes(segment.read_bytes()[:size])


def test_final_segment_cut_at_a_frame_boundary_is_a_problem(data, capsys):
    cut_trailer(recordings(data)[0] / "seg-000007.bcs")
    code, out = verify(data, capsys)
    assert code == 1
    assert "records a clean stop, but the last segment present (seg-000007.bcs) is not the final one" in out


def test_last_segments_deleted_and_the_new_last_one_cut_is_a_problem(data, capsys):
    rec = recordings(data)[0]
    for name in ("seg-000006.bcs", "seg-000007.bcs"):
        (rec / name).unlink()
    last = rec / "seg-000005.bcs"
    last.write_bytes(last.read_bytes()[: last.stat().st_size * 2 // 3])
    code, out = verify(data, capsys)
    assert code == 1
    assert f"{rec.name}: cut: the audit log" in out and "records 8 segment(s), 6 present" in out


def test_audit_file_removed_is_a_problem_for_the_recordings_it_covered(data, capsys):
    chain_order(data / "audit")[-1].unlink()
    code, out = verify(data, capsys)
    assert code == 1
    assert f"{recordings(data)[1].name}: audit: the audit log has no entry for this recording" in out


def test_audit_lines_of_a_recording_removed_are_a_problem(data, capsys):
    last = chain_order(data / "audit")[-1]
    lines = last.read_bytes().splitlines(keepends=True)
    kept = [line for line in lines if json.loads(line)["type"] not in ("recording-started", "recording")]
    assert len(kept) == len(lines) - 2
    last.write_bytes(b"".join(kept))
    code, out = verify(data, capsys)
    assert code == 1 and "audit: chain broken" in out and "has no entry for this recording" in out


def test_recordings_without_any_audit_log_are_a_problem(data, capsys):
    for path in (data / "audit").iterdir():
        path.unlink()
    code, out = verify(data, capsys)
    assert code == 1 and out.count("audit: missing: no audit log covers this recording") == 2


def test_a_single_recording_folder_is_checked_against_its_data_dirs_audit_log(data, capsys):
    code = main(["evidence", "verify", str(recordings(data)[0]), "--device-key", str(data / "keys/device.pub")])
    assert code == 0, capsys.readouterr().out


def test_store_copy_without_an_end_is_a_problem_but_a_power_cut_on_the_camera_is_not(data, capsys):
    """A power cut right after the start: the log ends with the start, the last segment has no trailer."""
    last_log = chain_order(data / "audit")[-1]
    lines = last_log.read_bytes().splitlines(keepends=True)
    started = next(i for i, line in enumerate(lines) if json.loads(line)["type"] == "recording-started")
    last_log.write_bytes(b"".join(lines[: started + 1]))
    cut_trailer(sorted(recordings(data)[1].glob("seg-*.bcs"))[-1])
    code, out = verify(data, capsys)
    assert code == 0, out
    assert "truncated (power cut)" in out
    code, out = verify(data, capsys, "--store-copy")
    assert code == 1 and "arrived unfinished and the audit log shows no crash" in out


def test_a_signed_audit_line_of_an_unexpected_shape_is_no_crash(data, capsys):
    log = AuditLog(data / "audit", load_device_key(data / "keys/device.key"), lambda: "2026-01-06T00:00:00.000Z")
    log.append({"type": "recovery", "recording": None, "finalised": 5, "t": 0})
    log.close()
    code, out = verify(data, capsys)
    assert code == 0, out


def test_each_recording_gets_the_wearer_the_cameras_log_named_last_before_it_began():
    from storage.audit import AuditReport
    from storage.crosscheck import camera_wearers

    anna, ben = "0123456789abcdef", "fedcba9876543210"
    lines = [{"type": "recording-started", "recording": "r0"},  # before the camera was ever told
             {"type": "assigned", "officer": anna, "since": "s"}, {"type": "recording-started", "recording": "r1"},
             {"type": "start", "stage": "worn"}, {"type": "recording-started", "recording": "r2"},
             {"type": "unassigned", "since": "s"}, {"type": "recording-started", "recording": "r3"},
             {"type": "assigned", "officer": ben, "since": "s"}, {"type": "assignment-refused", "detail": "x"},
             {"type": "recording-started", "recording": "r4"},
             {"type": "assigned", "officer": "Anna Schmidt", "since": "s"},  # not a pseudonym: no word
             {"type": "recording-started", "recording": "r5"}]
    audit = AuditReport(entries=[(f"a.jsonl:{n}", line) for n, line in enumerate(lines, 1)])
    assert camera_wearers(audit) == {"r1": anna, "r2": anna, "r3": "", "r4": ben}
