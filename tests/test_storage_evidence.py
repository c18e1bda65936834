"""The evidence chain end to end: record in the simulator, verify with public keys, export to MP4."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import av
import pytest

from office.cli import main
from storage.canonical import canonical_json
from storage.keys import (
    KeyFileError,
    create_agency_keys,
    create_device_key,
    load_agency_private,
    load_device_key,
)
from storage.segment_format import FRAME_HEAD, MAGIC, SIGNATURE_LEN
from storage.verify import check_recording, trusted_device_keys
from tests.recordings import SEGMENTS, SHORT, copy_tree, record, short_config


@pytest.fixture
def data(recorded, tmp_path) -> Path:
    """A copy of the shared data dir holding one recording of eight segments."""
    return copy_tree(recorded, tmp_path / "data")


def recording_of(data: Path) -> Path:
    return next((data / "recordings").iterdir())


def verify(data: Path, capsys) -> tuple[int, str]:
    code = main(["evidence", "verify", str(data), "--device-key", str(data / "keys/device.pub")])
    return code, capsys.readouterr().out


def test_evidence_pristine_recording_verifies(data, capsys):
    code, out = verify(data, capsys)
    assert code == 0, out
    assert "1 of 1 recording(s) verify; 0 problem(s)" in out
    assert len(list(recording_of(data).glob("seg-*.bcs"))) == SEGMENTS


def test_evidence_list_shows_start_duration_reason_markers_status(data, capsys):
    assert main(["evidence", "list", str(data), "--device-key", str(data / "keys/device.pub")]) == 0
    out = capsys.readouterr().out
    row = out.splitlines()[1]
    assert recording_of(data).name in row and "announced" in row and row.endswith("ok")
    assert "14.9 s" in row or "15.0 s" in row


def test_evidence_export_is_a_playable_mp4_with_metadata(data, tmp_path, capsys):
    out = tmp_path / "export.mp4"
    code = main(["evidence", "export", str(data),
                 "--device-key", str(data / "keys/device.pub"),
                 "--key", str(data / "keys/agency.key"), "--out", str(out)])
    assert code == 0, capsys.readouterr().err
    with av.open(str(out)) as container:
        assert container.metadata["creation_time"].startswith("2026-01-05T08:00:00")  # MP4 keeps seconds
        assert '"started_utc": "2026-01-05T08:00:00.033Z"' in container.metadata["comment"]
        assert '"reason": "announced"' in container.metadata["comment"]
        frames = sum(1 for _ in container.decode(video=0))
    assert frames == pytest.approx(15 * 30, abs=31)


def test_evidence_prerecord_end_to_end_holds_the_seconds_before_the_press(tmp_path):
    # The scenario: pre-record 10 s, record at t=40, stop at t=100.
    config = short_config(prerecord={"seconds": 10.0}, recording={"segment_s": 60.0})
    rec = record(tmp_path / "data", "0 press display\n40 press record\n97 hold record 3\n105 end\n", config)
    out = tmp_path / "e2e.mp4"
    assert main(["evidence", "export", str(rec.parent.parent),
                 "--device-key", str(rec.parent.parent / "keys/device.pub"), "--key",
                 str(tmp_path / "data/keys/agency.key"), "--out", str(out)]) == 0
    with av.open(str(out)) as container:
        stream = container.streams.video[0]
        duration = float(stream.duration * stream.time_base)
        frames = [f for f in container.decode(video=0)]
    assert duration >= 69.0
    assert len(frames) == stream.frames  # every packet decodes
    report = check_recording(rec, {})
    start_s = int(report.segments[0].header["start_pts_us"]) / 1e6
    assert 29.0 <= start_s <= 30.0  # within one GOP (1 s) before t = 40 − 10


def flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_evidence_changed_byte_is_named(data, capsys):
    segment = recording_of(data) / "seg-000003.bcs"
    flip_byte(segment, segment.stat().st_size // 2)
    code, out = verify(data, capsys)
    assert code == 1
    assert "seg-000003.bcs: changed: signature mismatch" in out


def test_evidence_missing_middle_segment_is_named(data, capsys):
    (recording_of(data) / "seg-000003.bcs").unlink()
    code, out = verify(data, capsys)
    assert code == 1 and "missing: segment 3" in out


def test_evidence_swapped_segments_are_named(data, capsys):
    rec = recording_of(data)
    a, b = rec / "seg-000002.bcs", rec / "seg-000004.bcs"
    tmp = rec / "tmp"
    a.rename(tmp)
    b.rename(a)
    tmp.rename(b)
    code, out = verify(data, capsys)
    assert code == 1
    assert "seg-000002.bcs: reordered: holds segment 4" in out and "seg-000004.bcs: reordered: holds segment 2" in out


def test_evidence_duplicated_segment_is_named(data, capsys):
    rec = recording_of(data)
    shutil.copy(rec / "seg-000002.bcs", rec / "seg-000009.bcs")
    code, out = verify(data, capsys)
    assert code == 1 and "duplicated: segment 2 appears twice" in out


def test_evidence_segment_from_another_device_is_named(data, tmp_path, capsys):
    other = record(tmp_path / "other", SHORT, short_config())
    shutil.copy(other / "seg-000007.bcs", recording_of(data) / "seg-000008.bcs")
    code, out = verify(data, capsys)
    assert code == 1 and "seg-000008.bcs: foreign:" in out


def forge(segment: Path, key) -> None:
    """Rewrite a segment as an attacker would: same content, new header key, re-signed by ``key``."""
    import base64
    import hashlib
    import json

    from storage.keys import key_id

    raw = segment.read_bytes()
    offset = len(MAGIC)
    frames = []
    while offset < len(raw):
        kind, length = FRAME_HEAD.unpack_from(raw, offset)
        frames.append((kind, raw[offset + FRAME_HEAD.size : offset + FRAME_HEAD.size + length]))
        offset += FRAME_HEAD.size + length + SIGNATURE_LEN
    header = json.loads(frames[0][1])
    header["device_key"] = base64.b64encode(key.public_key().public_bytes_raw()).decode()
    header["device_key_id"] = key_id(key.public_key())
    frames[0] = (frames[0][0], canonical_json(header))
    out = bytearray(MAGIC)
    for kind, payload in frames:
        out += FRAME_HEAD.pack(kind, len(payload)) + payload
        out += key.sign(hashlib.blake2b(bytes(out), digest_size=32).digest())
    segment.write_bytes(bytes(out))


def test_evidence_segment_resigned_with_another_key_is_named(data, capsys):
    from cryptography.hazmat.primitives.asymmetric import ed25519

    forge(recording_of(data) / "seg-000005.bcs", ed25519.Ed25519PrivateKey.generate())
    code, out = verify(data, capsys)
    assert code == 1
    assert "seg-000005.bcs: foreign: signed by device key" in out and "not a registered device key" in out


def test_evidence_a_key_lying_next_to_the_recordings_is_never_trusted(data, capsys):
    assert main(["evidence", "verify", str(data)]) == 2
    assert "--registry STORE" in capsys.readouterr().err
    assert main(["evidence", "export", str(data), "--key", str(data / "keys/agency.key"), "--out",
                 str(data / "x.mp4")]) == 2
    assert not (data / "x.mp4").exists()


def test_evidence_recordings_checked_against_another_key_fail_every_segment(data, tmp_path, capsys):
    create_device_key(tmp_path / "intruder")
    code = main(["evidence", "verify", str(data), "--device-key", str(tmp_path / "intruder" / "device.pub")])
    out = capsys.readouterr().out
    assert code == 1 and out.count("not a registered device key") == SEGMENTS
    assert "audit: signed by unregistered device key" in out


def test_evidence_tail_cut_after_a_clean_stop_is_a_problem_that_partial_export_still_reads(data, tmp_path, capsys):
    last = recording_of(data) / "seg-000007.bcs"
    last.write_bytes(last.read_bytes()[: last.stat().st_size * 2 // 3])
    code, out = verify(data, capsys)
    assert code == 1
    assert "records a clean stop, but the last segment present (seg-000007.bcs) is not the final one" in out
    exported = tmp_path / "cut.mp4"
    assert main(["evidence", "export", str(data), "--device-key", str(data / "keys/device.pub"), "--key",
                 str(data / "keys/agency.key"), "--out", str(exported), "--allow-partial"]) == 0
    out = capsys.readouterr().out
    assert "PARTIAL export" in out and "intact to 2026-01-05T08:00:1" in out


def test_evidence_export_refuses_damage_and_leaves_no_partial_file(data, tmp_path, capsys):
    (recording_of(data) / "seg-000003.bcs").unlink()
    out = tmp_path / "x.mp4"
    args = ["evidence", "export", str(data),
            "--device-key", str(data / "keys/device.pub"), "--key", str(data / "keys/agency.key"), "--out", str(out)]
    assert main(args) == 1
    assert "does not verify" in capsys.readouterr().err
    assert not out.exists() and not list(tmp_path.glob(".*partial"))
    assert main([*args, "--allow-partial"]) == 0
    assert out.exists() and "PARTIAL export" in capsys.readouterr().out


def test_evidence_export_with_the_wrong_agency_key_is_a_clear_error(data, tmp_path, capsys):
    create_agency_keys(tmp_path / "other")
    out = tmp_path / "x.mp4"
    code = main(["evidence", "export", str(data),
                 "--device-key", str(data / "keys/device.pub"),
                 "--key", str(tmp_path / "other/agency.key"), "--out", str(out)])
    assert code == 1
    assert "the agency key does not open this segment" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(("content", "message"), [(b"", "extra: a file after the final segment, cut before its header"),
                                                     (b"\x89PNG garbage" * 10, "changed: not a segment")])
def test_evidence_empty_or_garbage_segment_file_is_named(data, capsys, content, message):
    (recording_of(data) / "seg-000008.bcs").write_bytes(content)
    code, out = verify(data, capsys)
    assert code == 1 and f"seg-000008.bcs: {message}" in out


def test_evidence_audit_log_verifies_and_detects_changed_and_removed_lines(data, capsys):
    (audit,) = list((data / "audit").glob("*.jsonl"))
    assert verify(data, capsys)[0] == 0
    lines = audit.read_bytes().splitlines(keepends=True)
    audit.write_bytes(b"".join(lines[:3] + lines[4:]))
    code, out = verify(data, capsys)
    assert code == 1 and "audit: chain broken" in out
    audit.write_bytes(b"".join(lines).replace(b'"outcome":"display-on"', b'"outcome":"display-off"'))
    code, out = verify(data, capsys)
    assert code == 1 and "audit: signature mismatch" in out


def test_keys_agency_private_key_is_0600_and_never_overwritten(tmp_path):
    key, _pub = create_agency_keys(tmp_path, b"correct horse")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    with pytest.raises(KeyFileError, match="refusing to overwrite"):
        create_agency_keys(tmp_path)
    assert load_agency_private(key, b"correct horse")
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        load_agency_private(key, b"wrong")
    with pytest.raises(KeyFileError, match="passphrase-protected; give the passphrase"):
        load_agency_private(key)
    with pytest.raises(KeyFileError, match="key file not found"):
        load_agency_private(tmp_path / "missing.key")
    with pytest.raises(KeyFileError, match="not an agency key"):
        create_device_key(tmp_path / "dev")
        load_agency_private(tmp_path / "dev" / "device.key")


def test_keys_device_key_is_created_once(tmp_path):
    pub = create_device_key(tmp_path)
    first = load_device_key(tmp_path / "device.key")
    assert create_device_key(tmp_path) == pub
    assert load_device_key(tmp_path / "device.key").public_key() == first.public_key()
    assert stat.S_IMODE((tmp_path / "device.key").stat().st_mode) == 0o600


def test_keys_cli_creates_passphrase_protected_agency_key(tmp_path, capsys):
    secret = tmp_path / "pass.txt"
    secret.write_text("s3cret\n")
    assert main(["keys", "agency", "--out", str(tmp_path / "office"), "--passphrase-file", str(secret)]) == 0
    assert load_agency_private(tmp_path / "office/agency.key", b"s3cret")
    assert main(["keys", "device", "--data-dir", str(tmp_path / "dev")]) == 0
    assert "BEGIN PUBLIC KEY" in capsys.readouterr().out


def test_device_refuses_to_run_with_the_agency_private_key_on_board(tmp_path):
    from storage.keys import load_device_keys

    create_device_key(tmp_path)
    create_agency_keys(tmp_path)
    with pytest.raises(KeyFileError, match="must never be on a device"):
        load_device_keys(tmp_path)


def test_trusted_keys_come_from_device_pub_files(data):
    keys = trusted_device_keys([data / "keys/device.pub"])
    assert len(keys) == 1
    assert os.path.exists(data / "keys/device.pub")


def test_evidence_storage_full_stops_recording_and_finalises_the_last_segment(tmp_path, capsys):
    rec = record(tmp_path / "data", "0 press display\n2 press record\n9 storage-full\n12 end\n", short_config())
    report = check_recording(rec, {})
    assert report.status == "ok"
    tail = report.segments[-1].trailer
    assert tail is not None and tail["final"] and tail["stop_reason"] == "storage-full"
    assert main(["evidence", "verify", str(tmp_path / "data"),
                 "--device-key", str(tmp_path / "data/keys/device.pub")]) == 0
