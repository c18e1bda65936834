"""Reads and checks one segment file with public keys only; decrypts with the agency private key."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from storage.keys import key_id
from storage.segment_format import (
    CIPHERS,
    FRAME_HEAD,
    HPKE,
    KIND_CHUNK,
    KIND_HEADER,
    KIND_TRAILER,
    MAGIC,
    MAX_FRAME,
    SIGNATURE_LEN,
    Packet,
    chunk_aad,
    chunk_nonce,
    decode_records,
    file_hasher,
    header_digest,
    unb64,
    wrap_info,
)


class SegmentError(ValueError):
    """The file is not a readable segment at all (empty, garbage, or cut inside its header)."""


class DecryptError(ValueError):
    pass


@dataclass
class Segment:
    path: Path
    header: dict[str, object]
    header_digest: bytes
    device_key: ed25519.Ed25519PublicKey
    chunks: list[memoryview] = field(default_factory=list)
    """Views into the file's bytes, in order (no copies); empty when read without ``keep_chunks``."""
    chunk_count: int = 0
    trailer: dict[str, object] | None = None
    damage: str | None = None
    """A signature or structure failure: the file was changed after it was written."""
    truncated_at: int | None = None
    """Offset of the first incomplete frame when the file ends early (a power cut)."""
    hash: str = ""
    """BLAKE2b-256 of the whole file, hex: what the next segment links to."""

    @property
    def sequence(self) -> int:
        return int(self.header["sequence"])  # type: ignore[arg-type]


def read_segment(path: Path, keep_chunks: bool = True) -> Segment:
    """Reads and checks every signature. ``keep_chunks=False``: only the verdict and counts are kept,
    not the file's bytes (an offload verifying many segments while they arrive)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SegmentError(f"{path.name}: cannot read: {exc.strerror}") from None
    if not data:
        raise SegmentError(f"{path.name}: empty file")
    if not data.startswith(MAGIC):
        raise SegmentError(f"{path.name}: not a segment file (unknown format)")
    hasher = file_hasher()
    hasher.update(MAGIC)
    offset = len(MAGIC)
    view = memoryview(data)  # frames and chunks are views into the one buffer: no copy of a megabyte chunk
    frames: list[tuple[int, memoryview, int]] = []
    truncated_at = None
    while offset < len(data):
        if len(data) - offset < FRAME_HEAD.size:
            truncated_at = offset
            break
        kind, length = FRAME_HEAD.unpack_from(data, offset)
        end = offset + FRAME_HEAD.size + length
        if length > MAX_FRAME or kind not in (KIND_HEADER, KIND_CHUNK, KIND_TRAILER):
            frames.append((-1, view[0:0], offset))
            break
        if end + SIGNATURE_LEN > len(data):
            truncated_at = offset
            break
        frames.append((kind, view[offset + FRAME_HEAD.size : end], offset))
        offset = end + SIGNATURE_LEN
    if not frames or frames[0][0] != KIND_HEADER:
        raise SegmentError(f"{path.name}: no complete header (file cut at byte {len(data)})")
    try:
        header = json.loads(bytes(frames[0][1]))
        device_key = ed25519.Ed25519PublicKey.from_public_bytes(unb64(header["device_key"]))
    except (ValueError, KeyError, TypeError):
        raise SegmentError(f"{path.name}: unreadable header") from None
    segment = Segment(path, header, header_digest(bytes(frames[0][1])), device_key, truncated_at=truncated_at)
    for kind, payload, start in frames:
        end = start + FRAME_HEAD.size + len(payload)
        hasher.update(view[start:end])
        signature = bytes(view[end : end + SIGNATURE_LEN])
        try:
            if kind == -1:
                raise InvalidSignature
            device_key.verify(signature, hasher.digest())
        except InvalidSignature:
            segment.damage = f"signature mismatch at byte {start}: changed after recording"
            segment.truncated_at = None
            return segment
        hasher.update(signature)
        if segment.trailer is not None:
            segment.damage = f"data after the trailer at byte {start}"
            return segment
        if kind == KIND_CHUNK:
            segment.chunk_count += 1
            if keep_chunks:
                segment.chunks.append(payload)
        elif kind == KIND_TRAILER:
            segment.trailer = json.loads(bytes(payload))
        elif start != frames[0][2]:
            segment.damage = f"second header at byte {start}"
            return segment
    segment.hash = hasher.hexdigest()
    if segment.trailer is not None and segment.trailer.get("chunks") != segment.chunk_count:
        segment.damage = "trailer chunk count does not match"
    return segment


def verify_device_key(segment: Segment, trusted: dict[str, ed25519.Ed25519PublicKey]) -> str | None:
    """None when the segment was signed by a trusted device key, else why not."""
    kid = key_id(segment.device_key)
    if kid != segment.header.get("device_key_id"):
        return "header key id does not match its key"
    if trusted and kid not in trusted:
        return f"signed by device key {kid}, which is not a registered device key"
    return None


def decrypt_segment(segment: Segment, agency_key: x25519.X25519PrivateKey) -> list[Packet]:
    header = segment.header
    try:
        data_key = HPKE.decrypt(unb64(str(header["wrapped_key"])), agency_key, info=wrap_info(header))
    except Exception:  # the HPKE binding raises one generic error for every wrong key
        raise DecryptError(
            f"{segment.path.name}: the agency key does not open this segment "
            f"(recorded for agency key {header.get('agency_key_id')}, given {key_id(agency_key.public_key())})"
        ) from None
    aead = CIPHERS[str(header["cipher"])](data_key)
    packets: list[Packet] = []
    for index, ciphertext in enumerate(segment.chunks):
        try:
            plaintext = aead.decrypt(chunk_nonce(index), ciphertext, chunk_aad(segment.header_digest, index))
        except InvalidTag:
            raise DecryptError(f"{segment.path.name}: chunk {index} fails authentication") from None
        packets.extend(decode_records(plaintext))
    return packets
