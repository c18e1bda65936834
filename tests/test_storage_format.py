"""The documented segment format: an independent reader written from docs/segment-format.md alone
(with an independent JCS library for the audit log) reads the test vectors as our reader does."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from pathlib import Path

import rfc8785
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from storage.segment_reader import read_segment

VECTORS = Path(__file__).parent / "vectors"
EXPECTED = json.loads((VECTORS / "expected.json").read_text(encoding="utf-8"))


def independent_segment(data: bytes, agency, device, prev_hash: str) -> tuple[dict, list[tuple], dict]:
    """One complete segment: (header, packet records, trailer), every signature and the link checked."""
    assert data[:8] == b"BODYCAM\x01"
    offset, frames = 8, []
    while offset < len(data):
        kind, length = struct.unpack_from(">BI", data, offset)
        payload = data[offset + 5 : offset + 5 + length]
        signature = data[offset + 5 + length : offset + 5 + length + 64]
        device.verify(signature, hashlib.blake2b(data[: offset + 5 + length], digest_size=32).digest())
        frames.append((chr(kind), payload))
        offset += 5 + length + 64
    kinds = "".join(k for k, _ in frames)
    assert kinds[0] == "H" and kinds[-1] == "T" and set(kinds[1:-1]) == {"C"}
    header_bytes = frames[0][1]
    header = json.loads(header_bytes)
    assert header["prev_segment_hash"] == prev_hash
    info = f"bodycam/segment/v1/{header['recording_id']}/{header['sequence']}/{header['device_key_id']}".encode()
    suite = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305)
    data_key = suite.decrypt(base64.b64decode(header["wrapped_key"]), agency, info=info)
    ciphers: dict[str, type[ChaCha20Poly1305 | AESGCM]] = {"chacha20-poly1305": ChaCha20Poly1305,
                                                           "aes-256-gcm": AESGCM}
    aead = ciphers[header["cipher"]](data_key)
    header_digest = hashlib.sha256(header_bytes).digest()
    records = []
    for index, (_, ciphertext) in enumerate(frames[1:-1]):
        plain = aead.decrypt(index.to_bytes(12, "big"), ciphertext, header_digest + index.to_bytes(8, "big"))
        pos = 0
        while pos < len(plain):
            stream, flags, pts, size = struct.unpack_from(">BBqI", plain, pos)
            records.append(({1: "video", 2: "audio"}[stream], bool(flags & 1), pts, plain[pos + 14 : pos + 14 + size]))
            pos += 14 + size
    trailer = json.loads(frames[-1][1])
    assert trailer["chunks"] == len(frames) - 2 and trailer["packets"] == len(records)
    return header, records, trailer


def independent_audit(directory: Path, device) -> list[dict]:
    """Audit lines: each signed over SHA-256 of its JCS form without ``sig``, each linked to the one before."""
    (path,) = directory.glob("*.jsonl")
    entries, prev = [], "0" * 64
    for line in path.read_bytes().split(b"\n")[:-1]:
        entry = json.loads(line)
        signature = base64.b64decode(entry.pop("sig"))
        device.verify(signature, hashlib.sha256(rfc8785.dumps(entry)).digest())
        assert entry["prev"] == prev
        prev = hashlib.sha256(line).hexdigest()
        entries.append(entry)
    return entries


def keys():
    agency = serialization.load_pem_private_key((VECTORS / "agency.test.key").read_bytes(), None)
    device = serialization.load_pem_public_key((VECTORS / "device.test.pub").read_bytes())
    return agency, device


def test_an_independent_reader_verifies_and_decrypts_the_multi_segment_vector():
    agency, device = keys()
    (recording,) = (VECTORS / "cases" / "complete" / "recordings").iterdir()
    prev, records, markers = "0" * 64, [], []
    for path in sorted(recording.glob("seg-*.bcs")):
        data = path.read_bytes()
        header, found, trailer = independent_segment(data, agency, device, prev)
        assert header["streams"]["audio"]["codec"] == "aac" and header["format_minor"] == 1
        records += found
        markers += trailer["markers"]
        prev = hashlib.blake2b(data, digest_size=32).hexdigest()
    assert trailer["final"] and len(markers) == 2
    digest = hashlib.sha256()
    for stream, keyframe, pts, data in records:
        digest.update(rfc8785.dumps({"stream": stream, "keyframe": keyframe, "pts_us": pts,
                                     "data": base64.b64encode(data).decode()}))
    expected = EXPECTED["complete"]["decrypts"]
    assert digest.hexdigest() == expected["packets_sha256"]
    assert {s for s, *_ in records} == {"video", "audio"}


def test_an_independent_reader_verifies_the_non_ascii_audit_log_with_another_jcs_library():
    _, device = keys()
    entries = independent_audit(VECTORS / "cases" / "complete" / "audit", device)
    assert any("🎥" in str(e.get("text")) for e in entries)
    assert entries[-1]["type"] == "recording" and entries[-1]["segments"] == 3


def test_an_independent_reader_opens_the_aes_vector():
    agency, device = keys()
    (recording,) = (VECTORS / "cases" / "complete-aes" / "recordings").iterdir()
    first = (recording / "seg-000000.bcs").read_bytes()
    header, records, _ = independent_segment(first, agency, device, "0" * 64)
    assert header["cipher"] == "aes-256-gcm" and records


def test_our_reader_and_the_spec_agree_on_each_segment_hash():
    (recording,) = (VECTORS / "cases" / "complete" / "recordings").iterdir()
    for path in recording.glob("seg-*.bcs"):
        assert read_segment(path).hash == hashlib.blake2b(path.read_bytes(), digest_size=32).hexdigest()


def test_the_vector_wrap_is_plain_rfc_9180():
    """The vectors' own HPKE (written from the RFC) and the library's agree: what one seals, the other opens."""
    from cryptography.hazmat.primitives.asymmetric import x25519

    from storage.segment_format import HPKE
    from tests.vectors import hpke

    recipient, ephemeral = x25519.X25519PrivateKey.generate(), x25519.X25519PrivateKey.generate()
    sealed = hpke.seal(b"k" * 32, recipient.public_key(), b"bodycam/segment/v1/x/0/y", ephemeral)
    assert HPKE.decrypt(sealed, recipient, info=b"bodycam/segment/v1/x/0/y") == b"k" * 32


def test_the_specs_verify_by_hand_walkthrough_runs_as_written(tmp_path):
    """docs/segment-format.md's shell block, run on the vector it names, with coreutils and OpenSSL."""
    import re
    import shutil
    import subprocess

    spec = (Path(__file__).parent.parent / "docs" / "segment-format.md").read_text(encoding="utf-8")
    script = re.search(r"## Verifying by hand.*?```sh\n(.*?)```", spec, re.S).group(1)
    (recording,) = (VECTORS / "cases" / "complete" / "recordings").iterdir()
    shutil.copy(recording / "seg-000000.bcs", tmp_path / "seg.bcs")
    shutil.copy(VECTORS / "device.test.pub", tmp_path / "device.test.pub")
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True)
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "Signature Verified Successfully" in out
    assert read_segment(recording / "seg-000000.bcs").hash in out
    assert recording.name in spec
