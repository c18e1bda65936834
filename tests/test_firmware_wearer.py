"""The camera's word on its wearer: the station's signed assignment reaches the signed audit log as
``assigned`` (a pseudonym) or ``unassigned``; anything not signed by its station is refused, there and
at the assignment session the station's key runs over SSH."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from firmware.log import JsonLog
from firmware.wearer import WearerWatch
from sim.clock import SIM_EPOCH, VirtualClock
from storage.assignment import current_path, sign_assignment
from storage.keys import create_signing_key, key_id, load_device_key, load_device_public
from tests.assignments import told
from tests.recordings import SHORT, record, short_config

ANNA, BEN = "0123456789abcdef", "fedcba9876543210"
BODYCAM = str(Path(sys.executable).parent / "bodycam")


def audit_lines(data_dir: Path) -> list[dict[str, object]]:
    return [json.loads(line) for path in sorted((data_dir / "audit").glob("*.jsonl"))
            for line in path.read_text().splitlines()]


def test_a_camera_checked_out_says_its_wearers_pseudonym_in_the_audit_log_before_it_records(tmp_path):
    told(tmp_path, ANNA)
    recording = record(tmp_path, SHORT, short_config())
    types = [line["type"] for line in audit_lines(tmp_path)]
    assigned = [line for line in audit_lines(tmp_path) if line["type"] == "assigned"]
    assert [(a["officer"], a["since"]) for a in assigned] == [(ANNA, "2026-12-01T06:00:00+00:00")]
    assert types.index("assigned") < types.index("recording-started")
    assert recording.name in [line.get("recording") for line in audit_lines(tmp_path)]


def test_a_camera_checked_in_says_unassigned_and_one_never_told_says_nothing(tmp_path):
    told(tmp_path / "in", None)
    record(tmp_path / "in", SHORT, short_config())
    assert [line["type"] for line in audit_lines(tmp_path / "in") if "assign" in str(line["type"])] == ["unassigned"]
    record(tmp_path / "never", SHORT, short_config())
    assert not [line for line in audit_lines(tmp_path / "never") if "assign" in str(line["type"])]


def test_an_assignment_not_signed_by_the_cameras_station_is_refused_in_the_audit_log(tmp_path):
    told(tmp_path, ANNA)
    keys = tmp_path / "keys"
    forger = load_device_key(create_signing_key(tmp_path / "elsewhere", "station").with_suffix(".key"))
    forged = sign_assignment(BEN, "2026-12-01T07:00:00+00:00", key_id(load_device_public(keys / "device.pub")),
                             forger, "2026-12-01T07:00:01+00:00")
    current_path(tmp_path).write_text(json.dumps(forged))
    record(tmp_path, SHORT, short_config())
    said = [line for line in audit_lines(tmp_path) if "assign" in str(line["type"])]
    assert [line["type"] for line in said] == ["assignment-refused"]
    assert "does not verify with this camera's station key" in str(said[0]["detail"])


def test_a_change_while_running_is_said_once_and_the_same_assignment_again_not_at_all(tmp_path):
    told(tmp_path, ANNA)
    out = io.StringIO()
    device = key_id(load_device_public(tmp_path / "keys" / "device.pub"))
    watch = WearerWatch(tmp_path, device, JsonLog(out, VirtualClock(SIM_EPOCH)))
    watch.check(1.0)
    watch.check(6.0)
    told(tmp_path, ANNA, issued="2026-12-01T13:00:00+00:00")  # sent again, newer: the same check-out
    watch.check(9.0)
    told(tmp_path, None, issued="2026-12-01T14:00:00+00:00", since="2026-12-01T13:59:00+00:00")
    watch.check(11.0)
    told(tmp_path, BEN, issued="2026-12-01T14:05:00+00:00", since="2026-12-01T14:04:00+00:00")
    watch.check(16.0)
    said = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(s["t"], s["type"], s.get("officer")) for s in said] == [
        (1.0, "assigned", ANNA), (11.0, "unassigned", None), (16.0, "assigned", BEN)]


def test_an_assignment_file_that_cannot_be_read_is_refused_once_not_at_every_poll(tmp_path):
    told(tmp_path, ANNA)
    out = io.StringIO()
    device = key_id(load_device_public(tmp_path / "keys" / "device.pub"))
    watch = WearerWatch(tmp_path, device, JsonLog(out, VirtualClock(SIM_EPOCH)))
    current_path(tmp_path).unlink()
    current_path(tmp_path).parent.rmdir()
    current_path(tmp_path).parent.write_text("a file where the folder belongs")
    watch.check(1.0)
    watch.check(6.0)
    said = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [(s["t"], s["type"]) for s in said] == [(1.0, "assignment-refused")]
    assert "Not a directory" in str(said[0]["detail"])


def test_an_assignment_not_for_this_camera_or_malformed_is_refused_naming_what_cut_short(tmp_path):
    from storage.assignment import AssignmentError, open_assignment
    from storage.canonical import canonical_json
    from storage.segment_format import b64

    told(tmp_path, ANNA)
    keys = tmp_path / "keys"
    station, device = load_device_key(keys / "station.key"), key_id(load_device_public(keys / "device.pub"))

    def opened(**members: object) -> str:
        body = {"version": 1, "station_key_id": key_id(station.public_key()), "device_key_id": device,
                "issued": "2026-12-01T08:00:00+00:00", "officer": ANNA, "since": "2026-12-01T08:00:00+00:00",
                **members}
        with pytest.raises(AssignmentError) as refused:
            open_assignment({"assignment": body, "sig": b64(station.sign(canonical_json(body)))},
                            station.public_key(), device)
        return str(refused.value)

    long = "x" * 100
    assert "version 2 not supported" in opened(version=2)
    for member in ("device_key_id", "officer", "since"):
        said = opened(**{member: long})
        assert "x" * 40 in said and "x" * 41 not in said, member
    for shape in ([], {"assignment": "body"}, {"sig": "AAAA"}):
        with pytest.raises(AssignmentError, match="not an assignment"):
            open_assignment(shape, station.public_key(), device)


def test_a_camera_whose_assignment_folder_cannot_be_made_still_records_and_says_why(tmp_path):
    (tmp_path / "assignment").write_text("a file where the folder belongs")
    recording = record(tmp_path, SHORT, short_config())
    assert len(list(recording.glob("seg-*.bcs"))) > 0
    refused = [line for line in audit_lines(tmp_path) if line["type"] == "assignment-refused"]
    assert refused and "assignment: File exists" in str(refused[0]["detail"]), "said at the start"


def session(data_dir: Path, line: str) -> tuple[int, dict[str, object]]:
    run = subprocess.run([BODYCAM, "assignment-session", "--data-dir", str(data_dir)], input=line + "\n",
                         capture_output=True, text=True, timeout=60)
    return run.returncode, json.loads(run.stdout)


def test_the_assignment_session_keeps_a_newer_signed_assignment_and_refuses_everything_else(tmp_path):
    line = told(tmp_path, ANNA)
    keys = tmp_path / "keys"
    station, device = load_device_key(keys / "station.key"), key_id(load_device_public(keys / "device.pub"))

    def signed(officer: object, issued: str, to: str = device) -> str:
        return json.dumps(sign_assignment(officer, issued, to, station, issued))  # type: ignore[arg-type]

    assert session(tmp_path, signed(BEN, "2026-12-01T08:00:00+00:00")) == (0, {"accepted": BEN})
    kept = current_path(tmp_path).read_text()
    refusals = {
        line: "not newer than the one the camera holds",
        signed(ANNA, "2026-12-01T07:00:00+00:00"): "not newer",
        signed(ANNA, "2026-12-01T09:00:00+00:00", to="0" * 16): "is for device key '0000000000000000'",
        signed("Anna Schmidt", "2026-12-01T09:00:00+00:00"): "is not a pseudonym",
        signed(ANNA, "yesterday"): "is not a UTC time",
        "not json": "not JSON",
        json.dumps({"assignment": {}, "sig": "AAAA"}): "does not verify",
        "x" * 5000: "at most 4096",
    }
    for sent, why in refusals.items():
        code, answer = session(tmp_path, sent)
        assert code == 1 and why in str(answer["refused"]), (sent[:60], answer)
    assert current_path(tmp_path).read_text() == kept, "a refused assignment changes nothing"
    assert session(tmp_path, signed(None, "2026-12-01T15:00:00+00:00")) == (0, {"accepted": None})


@pytest.mark.parametrize("missing", ["keys/station.pub", "assignment"])
def test_a_camera_without_its_station_key_or_assignment_folder_refuses_naming_it(tmp_path, missing):
    told(tmp_path, ANNA)
    keys = tmp_path / "keys"
    station, device = load_device_key(keys / "station.key"), key_id(load_device_public(keys / "device.pub"))
    line = json.dumps(sign_assignment(BEN, "2026-12-01T08:00:00+00:00", device, station, "2026-12-01T08:00:00+00:00"))
    target = tmp_path / missing
    if target.is_dir():
        for item in target.iterdir():
            item.unlink()
        target.rmdir()
    else:
        target.unlink()
    code, answer = session(tmp_path, line)
    assert code == 1 and missing.split("/")[-1] in str(answer["refused"])
