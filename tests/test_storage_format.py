"""The documented segment format: test vectors, and an independent reader written from the spec alone."""

from __future__ import annotations

import base64
import hashlib
import json
import struct
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

from storage.keys import load_agency_private
from storage.segment_reader import decrypt_segment, read_segment, verify_device_key
from storage.verify import trusted_device_keys

VECTORS = Path(__file__).parent / "vectors"
EXPECTED = json.loads((VECTORS / "segment-v1.expected.json").read_text())


def test_format_vector_verifies_and_decrypts_with_our_reader():
    segment = read_segment(VECTORS / "segment-v1.bcs")
    assert segment.damage is None and segment.truncated_at is None
    assert segment.hash == EXPECTED["file_hash"]
    assert verify_device_key(segment, trusted_device_keys([VECTORS / "device.test.pub"])) is None
    packets = decrypt_segment(segment, load_agency_private(VECTORS / "agency.test.key"))
    assert [(p.stream, p.keyframe, p.pts_us, p.data.hex()) for p in packets] == [
        (p["stream"], p["keyframe"], p["pts_us"], p["data_hex"]) for p in EXPECTED["packets"]
    ]


def independent_read(data: bytes, agency_pem: bytes, device_pem: bytes) -> list[tuple[str, bool, int, bytes]]:
    """docs/segment-format.md, implemented without the project's code."""
    assert data[:8] == b"BODYCAM\x01"
    device = serialization.load_pem_public_key(device_pem)
    agency = serialization.load_pem_private_key(agency_pem, None)
    offset, frames = 8, []
    while offset < len(data):
        kind, length = struct.unpack_from(">BI", data, offset)
        payload = data[offset + 5 : offset + 5 + length]
        signature = data[offset + 5 + length : offset + 5 + length + 64]
        device.verify(signature, hashlib.blake2b(data[: offset + 5 + length], digest_size=32).digest())
        frames.append((chr(kind), payload))
        offset += 5 + length + 64
    assert [k for k, _ in frames] == ["H", "C", "C", "T"]
    header_bytes = frames[0][1]
    header = json.loads(header_bytes)
    info = f"bodycam/segment/v1/{header['recording_id']}/{header['sequence']}/{header['device_key_id']}".encode()
    suite = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305)
    data_key = suite.decrypt(base64.b64decode(header["wrapped_key"]), agency, info=info)
    aead = ChaCha20Poly1305(data_key)
    header_digest = hashlib.sha256(header_bytes).digest()
    records = []
    for index, (_, ciphertext) in enumerate(frames[1:3]):
        plain = aead.decrypt(index.to_bytes(12, "big"), ciphertext, header_digest + index.to_bytes(8, "big"))
        pos = 0
        while pos < len(plain):
            stream, flags, pts, size = struct.unpack_from(">BBqI", plain, pos)
            pos += 14
            records.append(({1: "video", 2: "audio"}[stream], bool(flags & 1), pts, plain[pos : pos + size]))
            pos += size
    trailer = json.loads(frames[3][1])
    assert trailer["chunks"] == 2 and trailer["packets"] == len(records) and trailer["final"]
    return records


def test_format_vector_reads_with_an_independent_implementation_of_the_spec():
    records = independent_read((VECTORS / "segment-v1.bcs").read_bytes(), (VECTORS / "agency.test.key").read_bytes(),
                               (VECTORS / "device.test.pub").read_bytes())
    assert [(s, k, p, d.hex()) for s, k, p, d in records] == [
        (p["stream"], p["keyframe"], p["pts_us"], p["data_hex"]) for p in EXPECTED["packets"]
    ]


def test_format_vector_header_carries_the_documented_fields():
    segment = read_segment(VECTORS / "segment-v1.bcs")
    assert set(EXPECTED["header"]) | {"cipher", "key_wrap", "wrapped_key"} == set(segment.header)
    assert segment.header["cipher"] == "chacha20-poly1305"
