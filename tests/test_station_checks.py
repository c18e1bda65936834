"""Each check the station and the camera make on what the other side sends, made to fail on its own
(no sshd needed: the files are put where an offload would have put them)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from station.accept import accept
from station.models import Recording
from station.registry import RegistryError, enrol, set_status
from station.store import Store
from storage.canonical import canonical_json
from storage.keys import create_device_key, key_id, load_device_public
from storage.marker import write_marker
from storage.receipt import ReceiptError, open_receipt, sign_receipt
from storage.release import release
from storage.segment_format import b64, hash_file
from tests.recordings import copy_tree

HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB6F0dfxP5rW0CqQ8dOq8mZ9H8Y1bcZ2wXy4bJmQwVvA"


@pytest.fixture
def store(tmp_path) -> Store:
    return Store.init(tmp_path / "store")


def arrive(store: Store, device: Path) -> object:
    """Enrol the camera and put its folders where rsync puts them."""
    registered = enrol(store, "cam-001", "127.0.0.1", 22, "root", (device / "keys/device.pub").read_text(), HOST_KEY)
    kid = registered.key_id
    for folder in ("recordings", "audit"):
        copy_tree(device / folder, store.incoming(kid) / folder)
    return registered


def only(folder: Path) -> Path:
    (path,) = list(folder.iterdir())
    return path


def test_store_refuses_a_recording_folder_with_a_file_that_is_not_a_segment(store, device):
    registered = arrive(store, device)
    (only(store.incoming(registered.key_id) / "recordings") / "notes.txt").write_text("hi")
    result = accept(store, registered)
    assert result.receipt == {} and "notes.txt: unexpected file" in result.problems[0]


def test_store_refuses_links_that_arrive_whatever_brought_them(store, device, tmp_path):
    registered = arrive(store, device)
    incoming = store.incoming(registered.key_id)
    (incoming / "recordings" / "elsewhere").symlink_to(tmp_path)
    result = accept(store, registered)
    assert any("elsewhere: a link" in p for p in result.problems)
    assert not (incoming / "recordings" / "elsewhere").is_symlink() and tmp_path.is_dir()
    assert len(result.receipt) == 1, "the real recording is still taken"


def test_store_refuses_an_audit_file_with_a_name_of_the_wrong_form(store, device):
    registered = arrive(store, device)
    audit = store.incoming(registered.key_id) / "audit"
    shutil.copy(only(audit), audit / "..evil.jsonl")
    result = accept(store, registered)
    assert result.receipt == {} and any("audit file name '..evil.jsonl'" in p for p in result.problems)


def test_store_heals_a_crash_between_placing_a_recording_and_indexing_it(store, device):
    registered = arrive(store, device)
    kid = registered.key_id
    recording = only(store.incoming(kid) / "recordings").name
    target = store.recording_dir(kid, recording)
    target.parent.mkdir(parents=True)
    shutil.copytree(store.incoming(kid) / "recordings" / recording, target)  # placed; the row never written
    result = accept(store, registered)
    assert list(result.receipt) == [recording] and store.db.query(Recording).count() == 1


def test_store_keeps_a_placed_copy_with_other_bytes_and_calls_it_a_conflict(store, device):
    registered = arrive(store, device)
    kid = registered.key_id
    recording = only(store.incoming(kid) / "recordings").name
    target = store.recording_dir(kid, recording)
    target.mkdir(parents=True)
    (target / "seg-000000.bcs").write_bytes(b"what a crash left")
    result = accept(store, registered)
    assert result.receipt == {} and "conflict" in result.problems[0]
    assert (target / "seg-000000.bcs").read_bytes() == b"what a crash left", "nothing in the store is overwritten"


def test_registry_keeps_names_and_lost_keys_where_they_are(store, device, tmp_path):
    enrol(store, "cam-001", "127.0.0.1", 22, "root", (device / "keys/device.pub").read_text(), HOST_KEY)
    create_device_key(tmp_path / "other")
    with pytest.raises(RegistryError, match="belongs to device key"):
        enrol(store, "cam-001", "127.0.0.1", 22, "root", (tmp_path / "other/device.pub").read_text(), HOST_KEY)
    set_status(store, "cam-001", "lost", "Verlustanzeige")
    with pytest.raises(RegistryError, match="is marked lost"):
        enrol(store, "cam-009", "127.0.0.1", 22, "root", (device / "keys/device.pub").read_text(), HOST_KEY)
    with pytest.raises(RegistryError, match="a lost key stays lost"):
        set_status(store, "cam-001", "active", "gefunden")


def receipt_for(device: Path, store: Store, **changes: object) -> dict[str, object]:
    recording = only(device / "recordings")
    kid = key_id(load_device_public(device / "keys/device.pub"))
    files = {p.name: hash_file(p) for p in recording.iterdir()}
    signed = sign_receipt({recording.name: files}, kid, store.station_key(), "now")
    signed["receipt"].update(changes)  # type: ignore[attr-defined]
    return signed


def test_camera_refuses_a_receipt_for_another_camera_or_of_another_version(store, device):
    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    kid = key_id(load_device_public(device / "keys/device.pub"))
    with pytest.raises(ReceiptError, match="signature does not verify"):  # changed after signing
        open_receipt(receipt_for(device, store, device_key_id="0" * 16), store.station_public(), kid)
    other = sign_receipt({}, "0123456789abcdef", store.station_key(), "now")
    with pytest.raises(ReceiptError, match="is for device key '0123456789abcdef'"):
        open_receipt(other, store.station_public(), kid)
    with pytest.raises(ReceiptError, match="not a receipt"):
        release(device, [1, 2])
    assert only(device / "recordings").is_dir()


def test_camera_keeps_a_recording_with_a_file_the_receipt_does_not_name(store, device):
    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    signed = receipt_for(device, store)
    recording = only(device / "recordings")
    (recording / "seg-000099.bcs").write_bytes(b"late")
    assert release(device, signed).released == []
    (recording / "seg-000099.bcs").unlink()
    assert release(device, json.loads(json.dumps(signed))).released == [recording.name]
    assert not recording.exists()


def test_camera_never_releases_the_recording_it_is_writing(store, device):
    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    signed = receipt_for(device, store)
    recording = only(device / "recordings")
    write_marker(device, recording.name, "boot")
    assert release(device, signed).released == [] and recording.is_dir()


def test_camera_keeps_a_recording_whose_file_changed_after_the_receipt(store, device):
    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    signed = receipt_for(device, store)
    recording = only(device / "recordings")
    segment = sorted(recording.iterdir())[-1]
    data = segment.read_bytes()
    segment.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # the station does not hold these bytes
    assert release(device, signed).released == [] and segment.exists()


def test_camera_keeps_a_recording_the_receipt_names_a_file_too_many_of(store, device):
    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    recording = only(device / "recordings")
    kid = key_id(load_device_public(device / "keys/device.pub"))
    files = {p.name: hash_file(p) for p in recording.iterdir()}
    files["seg-000099.bcs"] = "0" * 64  # a file the camera does not have: the receipt is not about these files
    assert release(device, sign_receipt({recording.name: files}, kid, store.station_key(), "now")).released == []
    assert recording.is_dir()


def test_camera_hashes_again_a_file_that_changed_after_it_was_hashed_for_the_offload(store, device):
    from storage.release import FileHashes

    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    signed = receipt_for(device, store)
    recording = only(device / "recordings")
    hashes = FileHashes()
    hashes.prepare(sorted(recording.iterdir()))
    segment = sorted(recording.iterdir())[-1]  # the last: no later header names its hash
    original = segment.read_bytes()
    segment.write_bytes(original[:-1] + bytes([original[-1] ^ 1]))  # same size, other bytes, new ctime
    assert hashes.hash(segment) == hash_file(segment) != receipt_for(device, store)["receipt"]
    assert release(device, signed, hashes).released == [] and segment.exists()


def test_camera_reads_a_file_hashed_during_the_transfer_only_once(store, device, monkeypatch):
    """Hashing on the camera while the station pulls: at the receipt, the files are not read again."""
    from storage import release as release_module

    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    signed = receipt_for(device, store)
    recording = only(device / "recordings")
    hashes = release_module.FileHashes()
    hashes.prepare(sorted(recording.iterdir()))

    def read_again(path: Path) -> str:
        raise AssertionError(f"{path.name} read a second time")

    monkeypatch.setattr(release_module, "hash_file", read_again)
    assert release(device, signed, hashes).released == [recording.name] and not recording.exists()


def test_camera_keeps_a_recording_whose_file_was_replaced_by_a_link_to_the_same_bytes(store, device, tmp_path):
    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    signed = receipt_for(device, store)
    segment = sorted(only(device / "recordings").iterdir())[0]
    copy = tmp_path / "copy.bcs"
    segment.rename(copy)
    segment.symlink_to(copy)  # hashes the same, but the receipted file itself is no longer on the card
    assert release(device, signed).released == [] and segment.is_symlink() and copy.exists()


def test_camera_follows_no_link_a_receipt_leads_to_and_ignores_recordings_it_does_not_have(store, device, tmp_path):
    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    signed = receipt_for(device, store)
    recording = only(device / "recordings")
    elsewhere = tmp_path / "elsewhere"
    recording.rename(elsewhere)
    recording.symlink_to(elsewhere, target_is_directory=True)
    assert release(device, signed).released == [] and list(elsewhere.iterdir())
    recording.unlink()
    assert release(device, signed).released == []  # the receipted recording is not here at all: nothing to do


def test_the_manifest_marks_the_recording_being_written_as_unfinished(device):
    from storage.manifest import manifest

    recording = only(device / "recordings")
    assert manifest(device)["recordings"] == [{"id": recording.name, "finished": True}]
    write_marker(device, recording.name, "boot")
    assert manifest(device)["recordings"] == [{"id": recording.name, "finished": False}]
    write_marker(device, "20990101T000000Z-00000000", "boot")
    assert manifest(device)["recordings"] == [{"id": recording.name, "finished": True}]


def refusal_for(device: Path, store: Store, refused: list[str]) -> dict[str, object]:
    kid = key_id(load_device_public(device / "keys/device.pub"))
    return sign_receipt({}, kid, store.station_key(), "now", refused)


def test_camera_sets_a_refused_recording_aside_whole_and_no_longer_offers_it(store, device):
    from storage.manifest import manifest
    from storage.release import REFUSED_DIR

    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    recording = only(device / "recordings")
    files = {p.name: p.read_bytes() for p in recording.iterdir()}
    settled = release(device, refusal_for(device, store, [recording.name]))
    assert settled.set_aside == [recording.name] and settled.released == []
    aside = device / "recordings" / REFUSED_DIR / recording.name
    assert {p.name: p.read_bytes() for p in aside.iterdir()} == files, "kept byte for byte for a person"
    assert manifest(device)["recordings"] == []
    assert release(device, refusal_for(device, store, [recording.name])).set_aside == [], "set aside once"


def test_camera_never_sets_aside_the_recording_it_is_writing_nor_what_it_does_not_hold(store, device, tmp_path):
    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    recording = only(device / "recordings")
    write_marker(device, recording.name, "boot")
    assert release(device, refusal_for(device, store, [recording.name])).set_aside == []
    assert recording.is_dir()
    write_marker(device, "20990101T000000Z-00000000", "boot")
    elsewhere = tmp_path / "elsewhere"
    shutil.move(recording, elsewhere)
    recording.symlink_to(elsewhere)
    assert release(device, refusal_for(device, store, [recording.name])).set_aside == []
    assert recording.is_symlink() and elsewhere.is_dir(), "a link is followed nowhere"
    recording.unlink()
    assert release(device, refusal_for(device, store, [recording.name])).set_aside == []


@pytest.mark.parametrize(("refused", "said"), [
    ("20260105T080000Z-00000000", "refused is not a list"),
    (["../../keys"], "recording id '../../keys'"),
    (["20260105T080000Z-00000000"], "does not belong to device key"),
])
def test_camera_refuses_a_refusal_naming_anything_but_its_own_recordings(store, device, refused, said):
    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    kid = key_id(load_device_public(device / "keys/device.pub"))
    body = {"version": 1, "station_key_id": key_id(store.station_public()), "device_key_id": kid, "utc": "now",
            "recordings": {}, "refused": refused}
    signed = {"receipt": body, "sig": b64(store.station_key().sign(canonical_json(body)))}
    with pytest.raises(ReceiptError, match=re.escape(said)):
        release(device, signed)
    assert only(device / "recordings").is_dir()


def test_camera_refuses_a_receipt_that_both_covers_and_refuses_a_recording(store, device):
    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    recording = only(device / "recordings")
    kid = key_id(load_device_public(device / "keys/device.pub"))
    files = {p.name: hash_file(p) for p in recording.iterdir()}
    with pytest.raises(ReceiptError, match=f"both covers and refuses {recording.name}"):
        release(device, sign_receipt({recording.name: files}, kid, store.station_key(), "now", [recording.name]))
    assert recording.is_dir()


def test_camera_takes_a_segments_hash_from_the_next_signed_header_and_reads_only_the_last_segment(store, device,
                                                                                                  monkeypatch):
    """The station holds the bytes the camera wrote: for every segment but the last, the next segment's
    header (signed with the camera's own key when it was written) names their hash. A middle segment
    changed on the card since then changes nothing: the store's copy is the one the camera wrote."""
    from storage import release as release_module

    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    signed = receipt_for(device, store)
    recording = only(device / "recordings")
    files = sorted(recording.iterdir())
    with open(files[3], "r+b") as f:  # in its chunks, after its header
        f.seek(-200, 2)
        f.write(b"\0")
    read = []
    monkeypatch.setattr(release_module, "hash_file", lambda path: read.append(path.name) or hash_file(path))
    assert release(device, signed).released == [recording.name] and read == [files[-1].name]


def test_camera_hashes_a_middle_segment_whose_receipted_hash_is_not_the_one_it_wrote(store, device):
    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    recording = only(device / "recordings")
    signed = receipt_for(device, store)
    receipted = signed["receipt"]["recordings"][recording.name]
    files = sorted(recording.iterdir())
    kid = key_id(load_device_public(device / "keys/device.pub"))
    other = {**receipted, files[3].name: "ab" * 32}  # the store would hold other bytes than the camera wrote
    assert release(device, sign_receipt({recording.name: other}, kid, store.station_key(), "now")).released == [], \
        "the receipted hash is neither the written one nor the file's: hashed, compared, kept"
    assert files[3].exists()


def test_camera_trusts_no_header_signed_by_another_key_for_the_hash_before_it(store, device, tmp_path):
    from storage.release import written_hashes

    recording = only(device / "recordings")
    files = sorted(recording.iterdir())
    own = load_device_public(device / "keys/device.pub")
    assert set(written_hashes(recording, own)) == {f.name for f in files[:-1]}
    assert all(written_hashes(recording, own)[f.name] == hash_file(f) for f in files[:-1])
    create_device_key(tmp_path / "other")
    assert written_hashes(recording, load_device_public(tmp_path / "other" / "device.pub")) == {}
    files[4].write_bytes(files[4].read_bytes()[:300])  # a header cut short proves nothing either
    assert files[3].name not in written_hashes(recording, own)


def test_camera_sets_aside_several_refused_recordings_in_one_receipt(store, device):
    from storage.release import REFUSED_DIR

    shutil.copy(store.station_pub_path, device / "keys/station.pub")
    recording = only(device / "recordings")
    second = recording.with_name(f"{recording.name}-1")
    shutil.copytree(recording, second)
    settled = release(device, refusal_for(device, store, [recording.name, second.name]))
    assert settled.set_aside == [recording.name, second.name]
    assert sorted(p.name for p in (device / "recordings" / REFUSED_DIR).iterdir()) == [recording.name, second.name]
