"""Regenerate the segment-format test vectors: ``python -m tests.vectors.make_vectors``.

The keys here are TEST KEYS, published on purpose; never use them for anything real. Encryption is
randomised (HPKE ephemeral key, data key), so every run writes a different, equally valid vector.
"""

from __future__ import annotations

import json
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from storage.keys import key_id
from storage.segment_format import FORMAT_VERSION, ZERO_HASH, Packet, b64
from storage.segment_writer import SegmentWriter

HERE = Path(__file__).parent
# Fixed seeds so the test keys stay the same across regenerations.
AGENCY_SEED = bytes(range(32))
DEVICE_SEED = bytes(range(32, 64))
PACKETS = [
    Packet("video", True, 1_000_000, b"\x00\x00\x00\x01\x67sps\x00\x00\x00\x01\x68pps\x00\x00\x00\x01\x65idr"),
    Packet("video", False, 1_033_333, b"\x00\x00\x00\x01\x41delta-1"),
    Packet("audio", False, 1_040_000, b"\x21\x10aac"),
    Packet("video", False, 1_066_667, b"\x00\x00\x00\x01\x41delta-2"),
]


def main() -> None:
    agency = x25519.X25519PrivateKey.from_private_bytes(AGENCY_SEED)
    device = ed25519.Ed25519PrivateKey.from_private_bytes(DEVICE_SEED)
    pem = serialization.Encoding.PEM
    (HERE / "agency.test.key").write_bytes(agency.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                                serialization.NoEncryption()))
    (HERE / "device.test.pub").write_bytes(device.public_key().public_bytes(
        pem, serialization.PublicFormat.SubjectPublicKeyInfo))
    header = {
        "format": FORMAT_VERSION,
        "device_id": "vector-device",
        "device_key": b64(device.public_key().public_bytes_raw()),
        "device_key_id": key_id(device.public_key()),
        "agency_key_id": key_id(agency.public_key()),
        "recording_id": "20260105T080000Z-vector",
        "sequence": 0,
        "reason": "announced",
        "pressed_at_utc": "2026-01-05T08:00:00.000Z",
        "started_utc": "2026-01-05T08:00:00.000Z",
        "start_pts_us": 1_000_000,
        "clock_synchronised": True,
        "prev_segment_hash": ZERO_HASH,
        "streams": {"video": {"codec": "h264", "width": 16, "height": 16, "fps": 30}},
    }
    path = HERE / "segment-v1.bcs"
    path.unlink(missing_ok=True)
    writer = SegmentWriter(open(path, "xb", buffering=0), header, device, agency.public_key(),  # noqa: SIM115
                           "chacha20-poly1305")
    for packet in PACKETS[:2]:
        writer.add(packet)
    writer.seal()
    for packet in PACKETS[2:]:
        writer.add(packet)
    digest = writer.close({"final": True, "stop_reason": "stop-hold", "first_pts_us": 1_000_000,
                           "last_pts_us": 1_066_667, "markers": []})
    expected = {
        "file_hash": digest,
        "chunks": 2,
        "packets": [{"stream": p.stream, "keyframe": p.keyframe, "pts_us": p.pts_us, "data_hex": p.data.hex()}
                    for p in PACKETS],
        "header": header,
    }
    (HERE / "segment-v1.expected.json").write_text(json.dumps(expected, indent=2) + "\n")
    print(f"wrote {path} ({path.stat().st_size} bytes, BLAKE2b-256 {digest})")


if __name__ == "__main__":
    main()
