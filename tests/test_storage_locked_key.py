"""The agency key under a passphrase: scrypt, every parameter bound to the sealed key, old keys still
opening, and ``bodycam keys rewrap`` moving a key to today's format without changing it."""

from __future__ import annotations

import json
import stat
import time
from pathlib import Path

import pytest

from office.cli import main
from storage.keys import KeyFileError, create_agency_keys, key_id, load_agency_private
from storage.locked_key import SCRYPT

VECTORS = Path(__file__).parent / "vectors"
VECTOR_PASSPHRASE = b"bodycam-test-vector"


@pytest.fixture(scope="module")
def locked(tmp_path_factory) -> Path:
    key, _ = create_agency_keys(tmp_path_factory.mktemp("office"), b"Sommer 2026")
    return key


def test_a_new_locked_agency_key_is_scrypt_with_the_stated_parameters_and_opens_with_its_passphrase(locked):
    document = json.loads(locked.read_text())
    assert document["format"] == "bodycam-locked-key/2" and document["aead"] == "chacha20poly1305"
    assert {name: document["kdf"][name] for name in ("name", "n", "r", "p")} == {"name": "scrypt", **SCRYPT}
    assert SCRYPT == {"n": 2**17, "r": 8, "p": 1}
    public = load_agency_private(locked, b"Sommer 2026").public_key()
    assert key_id(public) == key_id(load_agency_private(locked, b"Sommer 2026").public_key())
    assert stat.S_IMODE(locked.stat().st_mode) == 0o600


def test_a_wrong_or_missing_passphrase_is_named(locked):
    with pytest.raises(KeyFileError, match="wrong passphrase, or the file was changed"):
        load_agency_private(locked, b"Winter 2026")
    with pytest.raises(KeyFileError, match="passphrase-protected; give the passphrase"):
        load_agency_private(locked)


@pytest.mark.parametrize(("field", "value"), [
    (("kdf", "n"), 2**16),  # a cheaper cost written into the file
    (("kdf", "salt"), "AAAAAAAAAAAAAAAAAAAAAA=="),
    (("public",), "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
    (("nonce",), "AAAAAAAAAAAAAAAA"),
])
def test_every_parameter_is_bound_to_the_sealed_key(locked, tmp_path, field, value):
    document = json.loads(locked.read_text())
    target = document
    for name in field[:-1]:
        target = target[name]
    target[field[-1]] = value
    changed = tmp_path / "agency.key"
    changed.write_text(json.dumps(document))
    with pytest.raises(KeyFileError, match="wrong passphrase, or the file was changed"):
        load_agency_private(changed, b"Sommer 2026")


@pytest.mark.parametrize(("kdf", "said"), [
    ({"n": 2**30}, "kdf.n 1073741824: from 16384 to 1048576"),
    ({"n": 3 * 2**14}, "kdf.n 49152: a power of two"),
    ({"r": 64}, "kdf.r 64: from 1 to 8"),
    ({"p": True}, "kdf.p True: from 1 to 4"),
    ({"name": "pbkdf2"}, "kdf: only scrypt is read"),
])
def test_a_file_cannot_make_its_reader_spend_unbounded_memory_or_time(locked, tmp_path, kdf, said):
    document = json.loads(locked.read_text())
    document["kdf"].update(kdf)
    hostile = tmp_path / "agency.key"
    hostile.write_text(json.dumps(document))
    started = time.monotonic()
    with pytest.raises(KeyFileError, match=said.replace("(", r"\(").replace(")", r"\)")):
        load_agency_private(hostile, b"Sommer 2026")
    assert time.monotonic() - started < 1, "refused before any work"


def test_a_damaged_locked_key_is_named(tmp_path):
    cut = tmp_path / "agency.key"
    cut.write_text('{"format": "bodycam-locked-key/2", "kdf": ')
    with pytest.raises(KeyFileError, match="not a bodycam-locked-key/2 file"):
        load_agency_private(cut, b"x")


def test_rewrap_moves_a_pbkdf2_key_to_scrypt_keeping_the_key(tmp_path, capsys):
    old = tmp_path / "agency.key"
    old.write_bytes((VECTORS / "agency.passphrase.test.key").read_bytes())
    old.chmod(0o600)
    was = key_id(load_agency_private(old, VECTOR_PASSPHRASE).public_key())
    (tmp_path / "old.txt").write_bytes(VECTOR_PASSPHRASE + b"\n")
    (tmp_path / "new.txt").write_text("ein langer neuer Satz\n")
    assert main(["keys", "rewrap", str(old), "--passphrase-file", str(tmp_path / "old.txt"),
                 "--new-passphrase-file", str(tmp_path / "new.txt")]) == 0
    said = capsys.readouterr().out
    assert f"key {was} rewrapped: was PBKDF2 (PKCS#8), now scrypt (n=131072, r=8, p=1)" in said
    assert json.loads(old.read_text())["format"] == "bodycam-locked-key/2"
    assert key_id(load_agency_private(old, b"ein langer neuer Satz").public_key()) == was
    assert stat.S_IMODE(old.stat().st_mode) == 0o600 and sorted(p.name for p in tmp_path.iterdir()) == [
        "agency.key", "new.txt", "old.txt"], "replaced in place, nothing left beside it"


def test_rewrap_with_the_wrong_passphrase_changes_nothing(locked, tmp_path, capsys):
    before = locked.read_bytes()
    (tmp_path / "wrong.txt").write_text("falsch\n")
    (tmp_path / "new.txt").write_text("neu\n")
    assert main(["keys", "rewrap", str(locked), "--passphrase-file", str(tmp_path / "wrong.txt"),
                 "--new-passphrase-file", str(tmp_path / "new.txt")]) == 2
    assert "wrong passphrase" in capsys.readouterr().err and locked.read_bytes() == before
