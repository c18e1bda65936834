"""What the station takes from a camera (station/accept.py), one rule at a time, on the files an offload
leaves in ``incoming/``: the test vectors of the format and recordings of the simulator. Fast, so that
``make mutation`` runs them for every mutant: each test fails when its rule alone is taken out."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from station.accept import PARTIAL_DIR, accept
from station.models import CustodyEntry, QuarantineItem, Recording
from station.registry import enrol
from station.store import Store
from storage.audit import AuditLog
from storage.keys import create_agency_keys, create_device_key, load_device_keys
from storage.recorder import Recorder, RecorderSettings
from tests.recordings import record, short_config

VECTORS = Path(__file__).parent / "vectors"
HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB6F0dfxP5rW0CqQ8dOq8mZ9H8Y1bcZ2wXy4bJmQwVvA"
VECTOR_ID = "20260105T080000Z-dc382fbf"
TWO = "0 press display\n3 press record\n6.05 press record\n9 hold record 3\n14 press record\n18 hold record 3\n26 end\n"
"""Two recordings, the first with a marker at 6.05 s."""


@pytest.fixture
def store(tmp_path) -> Store:
    return Store.init(tmp_path / "store")


@pytest.fixture(scope="module")
def two_recordings(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("two") / "data"
    record(data, TWO, short_config())
    return data


def enrolled(store: Store, public_key: Path):
    return enrol(store, "cam-001", "127.0.0.1", 22, "root", public_key.read_text(), HOST_KEY)


def arrived(store: Store, case: str, audit_from: str | None = None):
    """A vector case as an offload leaves it in ``incoming/``, its audit log from ``audit_from`` if given."""
    device = enrolled(store, VECTORS / "device.test.pub")
    incoming = store.incoming(device.key_id)
    shutil.copytree(VECTORS / "cases" / case / "recordings", incoming / "recordings")
    shutil.copytree(VECTORS / "cases" / (audit_from or case) / "audit", incoming / "audit")
    return device, incoming


def items(store: Store) -> list[QuarantineItem]:
    return list(store.db.query(QuarantineItem).order_by("pk"))


def test_a_verified_recording_is_indexed_with_what_its_signed_parts_say_and_receipted(store):
    device, incoming = arrived(store, "complete")
    result = accept(store, device)
    assert result.received == [VECTOR_ID] and result.problems == [] and items(store) == []
    row = store.db.query(Recording).get(recording_id=VECTOR_ID)
    assert (row.status, row.segments, row.reason, row.markers) == ("ok", 3, "announced", 2)
    assert row.started_utc.isoformat() == "2026-01-05T08:00:00+00:00"
    assert row.marker_times == [{"t": 0.5, "utc": "2026-01-05T08:00:00.500Z"},
                                {"t": 4.2, "utc": "2026-01-05T08:00:04.200Z"}]
    placed = store.recording_dir(device.key_id, VECTOR_ID)
    assert sorted(result.receipt[VECTOR_ID]) == sorted(p.name for p in placed.iterdir())
    assert not (incoming / "recordings" / VECTOR_ID).exists()
    stored_audit = store.audit_dir(device.key_id)
    assert [p.read_bytes() for p in sorted(stored_audit.iterdir())] == \
        [p.read_bytes() for p in sorted((incoming / "audit").iterdir())], "the audit log is kept with the recording"


def test_a_recording_the_camera_closed_after_a_crash_is_indexed_as_interrupted(store):
    device, _ = arrived(store, "interrupted")
    assert accept(store, device).received == [VECTOR_ID]
    assert store.db.query(Recording).get(recording_id=VECTOR_ID).status == "interrupted"


def test_two_recordings_of_one_run_are_both_placed(store, two_recordings):
    device = enrolled(store, two_recordings / "keys" / "device.pub")
    incoming = store.incoming(device.key_id)
    for folder in ("recordings", "audit"):
        shutil.copytree(two_recordings / folder, incoming / folder)
    result = accept(store, device)
    assert len(result.received) == 2 and result.problems == [] and sorted(result.receipt) == result.received
    assert store.db.query(Recording).count() == 2


def test_duration_and_marker_times_are_kept_to_the_millisecond_of_the_signed_device_times(store, tmp_path):
    data = tmp_path / "data"
    signed_recording(data, "announced", marker_at=1.23456)
    device = enrolled(store, data / "keys" / "device.pub")
    for folder in ("recordings", "audit"):
        shutil.copytree(data / folder, store.incoming(device.key_id) / folder)
    (received,) = accept(store, device).received
    row = store.db.query(Recording).get(recording_id=received)
    assert row.duration_s == 2.967, "89 frames at 30 fps: 2.966666 s"
    assert [m["t"] for m in row.marker_times] == [1.235]


def test_the_recording_still_being_written_and_rsyncs_partial_folder_are_left_alone(store):
    device, incoming = arrived(store, "complete")
    (incoming / "recordings" / PARTIAL_DIR).mkdir()
    result = accept(store, device, skip=frozenset({VECTOR_ID}))
    assert (result.received, result.problems, items(store)) == ([], [], [])
    assert (incoming / "recordings" / VECTOR_ID).is_dir() and (incoming / "recordings" / PARTIAL_DIR).is_dir()


def test_rsyncs_partial_folder_inside_a_recording_is_no_unexpected_file_and_goes_with_the_placing(store):
    device, incoming = arrived(store, "complete")
    (incoming / "recordings" / VECTOR_ID / PARTIAL_DIR).mkdir()
    (incoming / "recordings" / VECTOR_ID / PARTIAL_DIR / "seg-000009.bcs").write_bytes(b"half")
    assert accept(store, device).received == [VECTOR_ID]
    assert not (store.recording_dir(device.key_id, VECTOR_ID) / PARTIAL_DIR).exists()


@pytest.mark.parametrize(("make", "problem"), [
    (lambda r: (r / "not-an-id").mkdir(), "'not-an-id': recording id 'not-an-id': not of the form"),
    (lambda r: (r / "20260105T090000Z-dc382fbf").write_bytes(b"x"), "20260105T090000Z-dc382fbf: not a folder"),
    (lambda r: (r / "20260105T090000Z-dc382fbf").mkdir(), "20260105T090000Z-dc382fbf: no segments"),
])
def test_a_folder_that_is_no_recording_is_refused_for_exactly_that(store, make, problem):
    device, incoming = arrived(store, "complete")
    make(incoming / "recordings")
    result = accept(store, device)
    assert len(result.problems) == 1 and result.problems[0].startswith(problem)
    assert result.received == [VECTOR_ID], "the recording beside it is taken"


def test_a_refused_upload_is_moved_into_quarantine_once_and_counted_when_it_comes_again(store):
    device, incoming = arrived(store, "changed-chunk")
    upload = {p.name: p.read_bytes() for p in (incoming / "recordings" / VECTOR_ID).iterdir()}
    first = accept(store, device)
    assert first.refused == [VECTOR_ID] and first.receipt == {}
    (item,) = items(store)
    assert not (incoming / "recordings" / VECTOR_ID).exists(), "moved, not copied"
    assert {p.name: p.read_bytes() for p in (store.root / item.path / "upload").iterdir()} == upload
    shutil.copytree(VECTORS / "cases" / "changed-chunk" / "recordings", incoming / "recordings", dirs_exist_ok=True)
    again = accept(store, device)
    assert again.problems == [] and again.still_quarantined == [f"#{item.pk} {VECTOR_ID}"]
    assert again.refused == [VECTOR_ID], "told again: the camera may not have had the first refusal"
    (item,) = items(store)
    assert item.times_seen == 2 and item.last_seen > item.first_seen
    assert not (incoming / "recordings" / VECTOR_ID).exists()
    assert [e.action for e in store.db.query(CustodyEntry)].count("quarantined") == 1


def test_other_bytes_under_a_refused_name_are_a_new_quarantine_item(store):
    device, incoming = arrived(store, "changed-chunk")
    accept(store, device)
    shutil.copytree(VECTORS / "cases" / "missing-segment" / "recordings", incoming / "recordings",
                    dirs_exist_ok=True)
    (incoming / "recordings" / VECTOR_ID / "deeper").mkdir()  # a folder inside is no file to fingerprint
    accept(store, device)
    assert [item.times_seen for item in items(store)] == [1, 1]


def test_a_name_of_the_wrong_form_is_refused_but_never_named_in_the_refusal_and_its_log_subject_is_bounded(store):
    device, incoming = arrived(store, "complete")
    (incoming / "recordings" / ("x" * 200)).mkdir()
    result = accept(store, device)
    assert result.refused == [] and len(items(store)) == 1
    (entry,) = [e for e in store.db.query(CustodyEntry) if e.action == "quarantined"]
    assert entry.subject == f"{device.key_id}/{'x' * 200}"[:100]


def test_a_recording_not_closed_is_left_on_the_camera_not_refused(store):
    """A camera's log may claim a recovery that never closed the segment: the last one still has no trailer."""
    device, _ = arrived(store, "cut-in-chunk", audit_from="interrupted")
    result = accept(store, device)
    assert result.problems == [f"{VECTOR_ID}: unfinished: left on the camera until it is closed"]
    assert (result.receipt, items(store), result.refused) == ({}, [], [])


def test_at_the_store_an_unfinished_recording_without_a_crash_in_its_log_is_refused(store):
    device, _ = arrived(store, "cut-in-chunk")
    result = accept(store, device)
    assert any("arrived unfinished and the audit log shows no crash" in p for p in result.problems)
    assert result.refused == [VECTOR_ID]


def test_an_audit_rollback_takes_nothing_and_leaves_the_arrived_log_for_the_next_run(store):
    device, incoming = arrived(store, "complete")
    accept(store, device)
    shutil.copytree(VECTORS / "cases" / "complete" / "recordings", incoming / "recordings", dirs_exist_ok=True)
    for path in (incoming / "audit").iterdir():
        path.write_bytes(b"")  # the log offloaded before, emptied on the camera
    result = accept(store, device)
    assert result.receipt == {} and any("rollback" in p for p in result.problems)
    assert [p.name for p in (incoming / "audit").iterdir()] and (incoming / "recordings" / VECTOR_ID).is_dir()
    (item,) = items(store)
    assert item.kind == "audit-rollback"


def test_the_stores_audit_copy_holds_complete_lines_only_and_an_unchanged_file_is_not_rewritten(store):
    device, incoming = arrived(store, "complete")
    (log,) = (incoming / "audit").glob("*.jsonl")
    whole = log.read_bytes()
    log.write_bytes(whole + b'{"partial')
    accept(store, device)
    kept = store.audit_dir(device.key_id) / log.name
    assert kept.read_bytes() == whole
    inode = os.stat(kept).st_ino
    accept(store, device)
    assert os.stat(kept).st_ino == inode and kept.read_bytes() == whole


class _BadClock(datetime):
    """A camera clock whose signed times are not times at all."""

    def isoformat(self, *args: object, **kwargs: object) -> str:
        return "yesterday"


def signed_recording(data: Path, reason: str, clock: type[datetime] = datetime, marker_at: float | None = None) -> None:
    """A recording the camera's own key signed, with the reason and clock given, and its audit log."""
    create_device_key(data / "keys")
    create_agency_keys(data / "office")
    shutil.copy(data / "office" / "agency.pub", data / "keys" / "agency.pub")
    keys = load_device_keys(data / "keys")
    recorder = Recorder(RecorderSettings(data / "recordings", "odd", prerecord_s=0.0), keys,
                        to_utc=lambda t: clock.fromtimestamp(1767600000 + t, UTC),
                        clock_synchronised=lambda: True, on_error=print)
    audit = AuditLog(data / "audit", keys.signing, lambda: "2026-01-05T00:00:00.000Z")
    recording = recorder.start(reason, 0.0)
    audit.append({"type": "recording-started", "recording": recording, "reason": reason, "t": 0.0})
    for i in range(90):
        recorder.packet(bytes(200), i % 30 == 0, int(i * 1e6 / 30))
        if marker_at is not None and i == 45:
            recorder.marker(marker_at)
    audit.append({"type": "recording", "t": 3.0, **(recorder.stop("stop-hold") or {})})
    recorder.close()
    audit.close()


@pytest.mark.parametrize(("reason", "clock", "problem"), [
    ("a" * 40, datetime, None),
    ("a", datetime, None),
    ("a" * 41, datetime, f"reason {'a' * 41!r}: not a reason"),
    ("", datetime, "reason '': not a reason"),
    ("announced", _BadClock, "started_utc 'yesterday': not a UTC time"),
])
def test_what_the_index_takes_from_a_signed_header_must_have_its_documented_form(store, tmp_path, reason, clock,
                                                                               problem):
    data = tmp_path / "data"
    signed_recording(data, reason, clock)
    device = enrolled(store, data / "keys" / "device.pub")
    for folder in ("recordings", "audit"):
        shutil.copytree(data / folder, store.incoming(device.key_id) / folder)
    result = accept(store, device)
    assert [problem] == [p.split(": header: ")[1] for p in result.problems] if problem else result.problems == []
    assert bool(result.receipt) == (problem is None)


def test_a_marker_whose_signed_time_is_no_number_is_left_out_of_the_players_markers(store, tmp_path, monkeypatch):
    """A camera signs what it likes: a marker time that is not a number must not stop the offload."""
    made = Recorder._trailer
    monkeypatch.setattr(Recorder, "_trailer", staticmethod(lambda *args, **kwargs: {
        **made(*args, **kwargs), "markers": [{"pts_us": "soon", "utc": "2026-01-05T00:00:01Z"}]}))
    data = tmp_path / "data"
    signed_recording(data, "announced")
    device = enrolled(store, data / "keys" / "device.pub")
    for folder in ("recordings", "audit"):
        shutil.copytree(data / folder, store.incoming(device.key_id) / folder)
    (received,) = accept(store, device).received
    assert store.db.query(Recording).get(recording_id=received).marker_times == []
