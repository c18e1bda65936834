"""The published test vectors: our verifier gives exactly the expected verdicts, the vectors come out
byte for byte the same when regenerated, and what decrypts matches."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from storage.keys import load_agency_private
from storage.verify import trusted_device_keys, verify_tree
from tests.vectors import make_vectors

VECTORS = Path(__file__).parent / "vectors"
EXPECTED = json.loads((VECTORS / "expected.json").read_text(encoding="utf-8"))


def verdicts(tree) -> Counter:
    found = [make_vectors.verdict("PROBLEM", p) for p in tree.problems] + [make_vectors.verdict("NOTE", n)
                                                                            for n in tree.notes]
    return Counter(tuple(sorted(v.items())) for v in found)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_vector_gives_exactly_the_expected_verdicts(name):
    tree = verify_tree(VECTORS / "cases" / name, trusted_device_keys([VECTORS / "device.test.pub"]))
    expected = EXPECTED[name]
    assert verdicts(tree) == Counter(tuple(sorted(v.items())) for v in expected["verdicts"])
    if expected["decrypts"] is not None:
        assert make_vectors.decrypted(tree.recordings[0].segments) == expected["decrypts"]


def test_vectors_cover_every_verdict_kind_the_spec_names():
    kinds = {(v["severity"], v["kind"]) for case in EXPECTED.values() for v in case["verdicts"]}
    assert kinds >= {("PROBLEM", k) for k in ("changed", "missing", "reordered", "duplicated", "foreign",
                                               "chain broken", "truncated in the middle of the recording", "extra",
                                               "cut", "audit")}
    assert kinds >= {("NOTE", k) for k in ("truncated (power cut)", "cut before its header was complete",
                                            "next segment lost", "interrupted")}


def test_vectors_regenerate_byte_for_byte(tmp_path):
    (tmp_path / "agency.passphrase.test.key").write_bytes((VECTORS / "agency.passphrase.test.key").read_bytes())
    make_vectors.main(tmp_path)
    fresh = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    committed = {p.relative_to(VECTORS): p.read_bytes() for p in VECTORS.rglob("*")
                 if p.is_file() and (p.relative_to(VECTORS) in fresh or "cases" in p.relative_to(VECTORS).parts)}
    assert set(fresh) == set(committed)
    assert [name for name in fresh if fresh[name] != committed[name]] == []


def test_the_passphrase_protected_agency_key_opens_the_vectors():
    plain = load_agency_private(VECTORS / "agency.test.key")
    locked = load_agency_private(VECTORS / "agency.passphrase.test.key", make_vectors.PASSPHRASE)
    assert locked.private_bytes_raw() == plain.private_bytes_raw()


def test_the_vectors_readme_describes_every_case_and_the_format_spec_names_every_new_one():
    readme = (VECTORS / "README.md").read_text(encoding="utf-8")
    spec = (VECTORS.parent.parent / "docs" / "segment-format.md").read_text(encoding="utf-8")
    assert [name for name in EXPECTED if f"| `{name}` |" not in readme] == []
    assert [name for name in ("extra-files", "last-frame-signature", "final-without-last-time", "all-foreign",
                              "cut-header-middle") if f"vector `{name}`" not in spec] == []
