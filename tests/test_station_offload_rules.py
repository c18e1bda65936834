"""The station's offload rules that need no camera: what it takes from a hostile manifest, how it reads
rsync's and the database's failures, and the verifier that checks segments while they arrive. Fast, so
mutation testing runs them with the sshd tests."""

from __future__ import annotations

import errno
import math
import re
import shutil
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from station import offload
from station.offload import (
    ArrivalVerifier,
    DeviceLock,
    OffloadError,
    OffloadOptions,
    _camera_status,
    _clock_offset,
    _message,
    _refusal,
    _rsync,
    answered,
    still_on_camera,
)
from station.ssh import ConnectionFailed
from storage.segment_reader import SegmentError

VECTOR = next((Path(__file__).parent / "vectors" / "cases" / "complete" / "recordings").iterdir())


def status_of(**status: object) -> tuple[SimpleNamespace, SimpleNamespace]:
    run, device = SimpleNamespace(), SimpleNamespace(firmware_version="before")
    _camera_status(run, device, {"status": status})  # type: ignore[arg-type]
    return run, device


@pytest.mark.parametrize(("battery", "taken"), [(0, 0.0), (100, 100.0), (55.5, 55.5), (-1, None), (101, None),
                                                (True, None), ("50", None), (None, None)])
def test_a_battery_level_is_taken_only_as_a_number_from_0_to_100(battery, taken):
    assert status_of(battery_percent=battery)[0].battery_percent == taken


@pytest.mark.parametrize(("value", "taken"), [(0, 0), (2**62 - 1, 2**62 - 1), (-1, None), (2**62, None),
                                              (True, None), (1.5, None), ("7", None)])
def test_card_sizes_are_taken_only_as_whole_numbers_in_range(value, taken):
    run, _ = status_of(free_bytes=value, total_bytes=value)
    assert (run.free_bytes, run.total_bytes) == (taken, taken)


def test_a_firmware_version_is_taken_only_in_the_documented_form():
    assert status_of(firmware_version="0.2.0+g1a2b3c4")[1].firmware_version == "0.2.0+g1a2b3c4"
    for hostile in ("<script>", "", "1" * 65, 7):
        assert status_of(firmware_version=hostile)[1].firmware_version == "before"


def test_a_manifest_without_a_status_leaves_everything_unknown():
    run, device = SimpleNamespace(), SimpleNamespace(firmware_version="before")
    _camera_status(run, device, ["not", "a", "manifest"])
    assert (run.battery_percent, run.free_bytes, run.total_bytes, device.firmware_version) == (
        None, None, None, "before")


def test_the_cameras_clock_offset_is_measured_to_the_millisecond():
    ahead = (datetime.now(UTC) + timedelta(seconds=5)).isoformat(timespec="milliseconds")
    offset = _clock_offset({"utc": ahead})
    assert offset == pytest.approx(5.0, abs=0.5) and offset == round(offset, 3)
    assert _clock_offset({"utc": "yesterday"}) is None and _clock_offset("no manifest") is None


def test_only_receipted_recordings_the_camera_names_count_as_released_or_set_aside():
    receipted = {"20260105T080000Z-a", "20260105T090000Z-a"}
    said = ["20260105T090000Z-a", "20260105T100000Z-a", 7, None, "20260105T080000Z-a"]
    assert answered({"released": said, "set_aside": []}, "released", receipted) == sorted(receipted)
    assert answered({"released": [], "set_aside": said}, "set_aside", receipted) == sorted(receipted)
    assert answered(said, "released", receipted) == sorted(receipted), "a camera before refusals answers a list"
    assert answered(said, "set_aside", receipted) == [], "its list is what it deleted, never what it set aside"
    assert answered({"20260105T080000Z-a": True}, "released", receipted) == []
    assert answered({"released": "20260105T080000Z-a"}, "released", receipted) == []
    assert answered(None, "released", receipted) == []


def test_the_refusal_names_what_was_refused_now_and_what_the_camera_still_offers_of_earlier_refusals():
    assert _refusal(["b"], ["a", "c"], ["a", "b", "d"], []) == ["a", "b"], "c is gone from the camera"
    assert _refusal(["b", "e"], [], ["b", "e"], ["recordings/b/seg-000001.bcs", "audit/e"]) == ["e"], \
        "a recording cut by the size limit was not refused: it is taken when the limit allows"


def test_what_stays_on_the_camera_is_what_it_listed_less_what_it_released():
    manifest = {"recordings": [{"id": "a"}, {"id": "b"}, {"id": "c"}]}
    assert still_on_camera(manifest, ["a"]) == 2
    assert still_on_camera(manifest, []) == 3
    assert still_on_camera({"recordings": []}, ["a"]) == 0, "never below zero, whatever the camera says"
    assert still_on_camera({"recordings": "many"}, []) is None and still_on_camera(None, []) is None


class EndedRsync(subprocess.Popen):
    """rsync that has ended with a given exit status and message."""

    code, said = 0, ""

    def __init__(self, *args: object, **kwargs: object) -> None:
        self.returncode = self.code

    def communicate(self, *args: object, **kwargs: object) -> tuple[str, str]:
        return "", self.said

    def __exit__(self, *exc: object) -> None:
        pass


def rsync_ending(monkeypatch, code: int, stderr: str) -> None:
    monkeypatch.setattr(offload.subprocess, "Popen", type("Ended", (EndedRsync,), {"code": code, "said": stderr}))


NO_QUOTA = offload.Budget("1T", 0, Path("/nonexistent"))


@pytest.mark.parametrize("code", [0, 23, 24])
def test_rsync_that_finished_or_skipped_a_vanished_file_is_fine(monkeypatch, tmp_path, code):
    rsync_ending(monkeypatch, code, "file has vanished")
    transfer = _rsync(SimpleNamespace(ssh="ssh", target="cam", host="cam"), "/data", tmp_path, tmp_path / "excludes",
                      OffloadOptions(), math.inf, NO_QUOTA)
    assert transfer.whole == (code == 0), "a file not taken keeps the run from refusing anything"


@pytest.mark.parametrize(("code", "stderr", "said"), [
    (255, "", "the connection broke (no message)"),
    (12, "rsync: connection unexpectedly closed (0 bytes received so far)\n", "the connection broke (rsync: conn"),
    (11, "rsync: write failed: No space left on device (28)", "the store's disk is full"),
    (25, "max delete reached", "failed (25): max delete reached"),
])
def test_rsync_failures_are_named_for_what_the_technician_does_next(monkeypatch, tmp_path, code, stderr, said):
    rsync_ending(monkeypatch, code, stderr)
    with pytest.raises(OffloadError, match=re.escape(said)):
        _rsync(SimpleNamespace(ssh="ssh", target="cam", host="cam"), "/data", tmp_path, tmp_path / "excludes",
               OffloadOptions(), math.inf, NO_QUOTA)


def test_failures_of_the_store_are_worded_for_the_person_at_the_station():
    full = "the store's disk is full: nothing was released on the camera; free space, then offload again"
    assert _message(OSError(errno.ENOSPC, "No space left on device")) == full
    assert _message(RuntimeError("database or disk is full")) == full
    assert _message(OSError(errno.EIO, "I/O error")) == ("the store's folder failed ([Errno 5] I/O error): nothing "
                                                         "was released on the camera; the next run takes it again")
    assert _message(RuntimeError("server closed the connection unexpectedly\n\tThis probably means")) == (
        "the store's database failed (server closed the connection unexpectedly): nothing was released on the "
        "camera; the next run takes it again")
    assert _message(OffloadError("cam-001: nothing taken")) == "cam-001: nothing taken"
    assert _message(ConnectionFailed("cam-001:22: no answer")) == "cam-001:22: no answer"


def test_a_camera_lock_makes_its_folders_and_can_be_taken_again(tmp_path):
    path = tmp_path / "incoming" / "deep" / "key.lock"
    for _ in range(2):
        with DeviceLock(path):
            assert path.exists()


def wait_until(predicate, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, "the verifier did not get to it"
        time.sleep(0.01)


def test_segments_are_verified_while_they_arrive_and_not_read_again_unless_changed(tmp_path, monkeypatch):
    reads: list[Path] = []
    real = offload.read_segment
    monkeypatch.setattr(offload, "read_segment", lambda path, **kw: reads.append(path) or real(path, **kw))
    segment = tmp_path / VECTOR.name / "seg-000000.bcs"
    with ArrivalVerifier(tmp_path) as verifier:
        segment.parent.mkdir()
        partial = shutil.copy(VECTOR / "seg-000000.bcs", tmp_path / "partial")
        Path(partial).rename(segment)  # as rsync places a finished file
        wait_until(lambda: segment in verifier._done)  # verified during the transfer, not after it
        assert verifier.reader(segment).sequence == 0 and reads == [segment]
        segment.write_bytes(b"replaced after it was read")  # changed since: read again
        with pytest.raises(SegmentError, match="unknown format"):
            verifier.reader(segment)
    assert reads == [segment, segment]


def test_a_segment_that_fails_while_arriving_fails_when_asked_for(tmp_path):
    segment = tmp_path / "rec" / "seg-000000.bcs"
    segment.parent.mkdir()
    segment.write_bytes(b"not a segment")
    with ArrivalVerifier(tmp_path) as verifier, pytest.raises(SegmentError, match="unknown format"):
        verifier.reader(segment)


def test_sizes_are_read_as_rsync_writes_them_and_anything_else_is_refused_by_name():
    from station.limits import SizeError, size_bytes

    assert [size_bytes(s) for s in ("1", "1K", "3M", "2G", "1T", "999999")] == [1, 1024, 3 << 20, 2 << 30, 1 << 40,
                                                                              999999]
    for bad in ("0", "1P", "1.5G", "-1G", "G", "1000000", " 1G", "1G\n"):
        with pytest.raises(SizeError, match=re.escape(repr(bad[:40]))):
            size_bytes(bad)


def test_the_quota_counts_what_is_arriving_hidden_temporaries_included_and_no_link(tmp_path):
    from station.offload import Budget, tree_bytes

    incoming = tmp_path / "incoming"
    (incoming / "recordings" / "r").mkdir(parents=True)
    (incoming / "recordings" / "r" / ".seg-000001.bcs.Ab12Cd").write_bytes(b"x" * 600)
    outside = tmp_path / "outside"
    outside.write_bytes(b"y" * 10_000)
    (incoming / "recordings" / "r" / "link").symlink_to(outside)
    assert tree_bytes(incoming) == 600 + len(str(outside)), "the link's own size, not its target's"
    arriving = tree_bytes(incoming)
    assert not Budget("1K", 1024 - arriving, incoming).over()
    assert Budget("1K", 1025 - arriving, incoming).over()
