"""Reads and checks one segment file with public keys only; decrypts with the agency private key."""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from bodycam.errors import BodycamError
from storage.keys import key_id
from storage.segment_format import (
    CIPHERS,
    FRAME_HEAD,
    FRAME_KINDS,
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


class SegmentError(BodycamError, ValueError):
    """The file is not a readable segment: garbage, an unknown format, or a header that fails its check
    although more data follows it. ``str()`` is ``<file>: <kind>: <detail>`` (the spec's verdict form)."""

    def __init__(self, file: str, kind: str, detail: str) -> None:
        super().__init__(f"{file}: {kind}: {detail}")
        self.file, self.kind, self.detail = file, kind, detail


class SegmentCut(SegmentError):
    """The file ends before its header is complete and signed, as a power cut at a segment roll leaves
    it (empty, half a header, or zeros): nothing in it was ever signed, so nothing in it can be lost
    evidence; only its place at the end of a recording makes it harmless (``verify`` decides)."""


class DecryptError(BodycamError, ValueError):
    pass


TAIL_ZEROS = "zeros (the size reached the disk, the data did not)"
TAIL_PARTIAL = "a partial frame"
TAIL_UNREADABLE = "unreadable bytes"


@dataclass
class Segment:
    path: Path
    header: dict[str, Any]
    header_digest: bytes
    device_key: ed25519.Ed25519PublicKey
    chunks: list[memoryview] = field(default_factory=list)
    """Views into the file's bytes, in order (no copies); empty when read without ``keep_chunks``."""
    chunk_count: int = 0
    trailer: dict[str, Any] | None = None
    damage: str | None = None
    """A signature or structure failure: the file was changed after it was written."""
    truncated_at: int | None = None
    """Where the verified part ends when bytes follow that a power cut explains (``tail`` says which)."""
    tail: str | None = None
    hash: str = ""
    """BLAKE2b-256 of the whole file, hex: what the next segment links to."""
    mapping: mmap.mmap | None = field(default=None, repr=False, compare=False)
    """The mapped file ``chunks`` are views into; decrypting gives its pages back chunk by chunk."""

    @property
    def sequence(self) -> int:
        return int(self.header["sequence"])


def read_lean(path: Path) -> Segment:
    """A segment's verdict without its bytes: what verifying keeps, so that a recording of any length is
    checked in the memory of one segment (``decrypt_segment`` reads it again when asked)."""
    return read_segment(path, keep_chunks=False)


def read_segment(path: Path, keep_chunks: bool = True) -> Segment:
    """Reads and checks every signature. ``keep_chunks=False``: only the verdict and counts are kept,
    not the file's bytes (an offload verifying many segments while they arrive).

    The file is mapped, not read: frames and chunks are views into the mapping, and the pages read are
    given back as the reading moves on, so a segment of any size is checked in a few megabytes."""
    data = _mapped(path)
    if data is None or _nothing_signed(data):  # empty, part of the magic, or zeros where data never landed
        raise _cut(path, len(data) if data is not None else 0)
    if data[: len(MAGIC)] != MAGIC:
        raise SegmentError(path.name, "changed", "not a segment file (unknown format)")
    view = memoryview(data)
    hasher = file_hasher()
    hasher.update(MAGIC)
    if (parsed := _header(view)) is None:
        if _tail_damage(view, len(MAGIC), hasher, None) is None:
            raise _cut(path, len(data))
        raise SegmentError(path.name, "changed", "unreadable header, and more data follows it")
    header, header_bytes, device_key = parsed
    segment = Segment(path, header, header_digest(header_bytes), device_key, mapping=data if keep_chunks else None)
    offset = len(MAGIC)
    while offset < len(data):
        _give_back(data, offset)
        frame = _frame_at(view, offset)
        following = None if frame is None else _signed(view, offset, frame[2], hasher, device_key)
        if frame is None or following is None:
            break
        kind, payload, end = frame
        hasher = following
        if segment.trailer is not None:
            break
        if kind == KIND_HEADER and offset != len(MAGIC):
            segment.damage = f"second header at byte {offset}"
            return segment
        if kind == KIND_CHUNK:
            segment.chunk_count += 1
            if keep_chunks:
                segment.chunks.append(payload)
        elif kind == KIND_TRAILER:
            segment.trailer = json.loads(bytes(payload))
        offset = end + SIGNATURE_LEN
    if offset == len(MAGIC):
        if (damage := _tail_damage(view, offset, hasher, device_key)) is not None:
            segment.damage = damage
            return segment
        raise _cut(path, len(data))
    if offset < len(data) and segment.trailer is not None:
        segment.damage = f"data after the trailer at byte {offset}"
        return segment
    if offset < len(data):
        segment.damage = _tail_damage(view, offset, hasher, device_key)
        if segment.damage is not None:
            return segment
        segment.truncated_at, segment.tail = offset, _tail_kind(view, offset)
    hasher.update(view[offset:])
    segment.hash = hasher.hexdigest()
    if segment.trailer is not None and segment.trailer.get("chunks") != segment.chunk_count:
        segment.damage = "trailer chunk count does not match"
    return segment


def signed_header(path: Path, key: ed25519.Ed25519PublicKey) -> dict[str, Any] | None:
    """A segment's header read alone (its first frame, nothing after it), when its signature verifies
    with ``key``; None for anything else. The camera reads in it the hash the segment before had."""
    try:
        data = _mapped(path)
    except SegmentError:
        return None
    if data is None or data[: len(MAGIC)] != MAGIC:
        return None
    parsed = _header(memoryview(data))
    if parsed is None:
        return None
    header, header_bytes, _ = parsed
    hasher = file_hasher()
    hasher.update(MAGIC)
    end = len(MAGIC) + FRAME_HEAD.size + len(header_bytes)
    return header if _signed(memoryview(data), len(MAGIC), end, hasher, key) is not None else None


def _header(view: memoryview) -> tuple[dict[str, Any], bytes, ed25519.Ed25519PublicKey] | None:
    """The header frame's JSON, its bytes and the device key it names; None if there is no such frame
    (its signature is checked with the other frames')."""
    frame = _frame_at(view, len(MAGIC))
    if frame is None or frame[0] != KIND_HEADER:
        return None
    payload = bytes(frame[1])
    try:
        header = json.loads(payload)
        return header, payload, ed25519.Ed25519PublicKey.from_public_bytes(unb64(header["device_key"]))
    except (ValueError, KeyError, TypeError):
        return None


def _cut(path: Path, size: int) -> SegmentCut:
    return SegmentCut(path.name, "cut before its header was complete", f"{size} bytes, nothing signed")


def _mapped(path: Path) -> mmap.mmap | None:
    """The file mapped read-only, or None when it is empty. Opened without waiting and only when it is a
    regular file: a FIFO under a segment's name blocks nothing."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    except OSError as exc:
        raise SegmentError(path.name, "missing", f"cannot read: {exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise SegmentError(path.name, "changed", "not a regular file")
        return mmap.mmap(fd, 0, access=mmap.ACCESS_READ) if info.st_size else None
    except OSError as exc:
        raise SegmentError(path.name, "missing", f"cannot read: {exc.strerror}") from None
    finally:
        os.close(fd)


ZERO_BLOCK = 1 << 20


def _nothing_signed(data: mmap.mmap) -> bool:
    """Whether the file is part of the magic followed by zeros only (the bytes never landed)."""
    if not MAGIC.startswith(data[: len(MAGIC)].rstrip(b"\0")):
        return False
    for start in range(len(MAGIC), len(data), ZERO_BLOCK):
        block = data[start : start + ZERO_BLOCK]
        if block.count(0) != len(block):
            return False
    return True


def _give_back(data: mmap.mmap, offset: int) -> None:
    """Drop the pages before ``offset`` from this process: read again from the page cache if needed."""
    read = offset - offset % mmap.PAGESIZE
    if read:
        data.madvise(mmap.MADV_DONTNEED, 0, read)


def _frame_at(view: memoryview, offset: int) -> tuple[int, memoryview, int] | None:
    """``(kind, payload, end of payload)`` of a complete frame with a valid head at ``offset``, else None."""
    head = _head_at(view, offset)
    if head is None:
        return None
    kind, length = head
    end = offset + FRAME_HEAD.size + length
    if end + SIGNATURE_LEN > len(view):
        return None
    return kind, view[offset + FRAME_HEAD.size : end], end


def _head_at(view: memoryview, offset: int) -> tuple[int, int] | None:
    if len(view) - offset < FRAME_HEAD.size:
        return None
    kind, length = FRAME_HEAD.unpack_from(view, offset)
    return (kind, length) if kind in FRAME_KINDS and length <= MAX_FRAME else None


def _signed(view: memoryview, start: int, end: int, hasher: hashlib.blake2b,
            key: ed25519.Ed25519PublicKey) -> hashlib.blake2b | None:
    """The running hash past the frame ``view[start:end]`` and its signature, or None if it fails."""
    candidate = hasher.copy()
    candidate.update(view[start:end])
    try:
        key.verify(bytes(view[end : end + SIGNATURE_LEN]), candidate.digest())
    except InvalidSignature:
        return None
    candidate.update(view[end : end + SIGNATURE_LEN])
    return candidate


# A frame head as it could start an intact frame after a failing one: a kind byte, then a length of at most MAX_FRAME.
_HIDDEN_HEAD = re.compile(b"[" + bytes(FRAME_KINDS) + rb"][\x00-\x04]")


def _tail_damage(view: memoryview, offset: int, hasher: hashlib.blake2b,
                 key: ed25519.Ed25519PublicKey | None) -> str | None:
    """Why the unverified bytes from ``offset`` on cannot be a power cut, or None if they can.

    The writer makes every frame durable before it writes the next, so a cut leaves at most one frame
    that does not verify, and nothing after it: intact frames after a failing one mean the failing one
    was changed after recording (spec: "The tail rule"). With the key, an altered frame head is proven
    outright: given the length that reaches the next frame, its signature verifies.
    """
    for match in _HIDDEN_HEAD.finditer(view, offset + 1):
        start = match.start()
        if not _lands(view, start):
            continue
        if key is not None and start >= offset + FRAME_HEAD.size + SIGNATURE_LEN and _head_altered(
                view, offset, start, hasher, key):
            return (f"frame head at byte {offset} altered: with the length that reaches the frame at byte "
                    f"{start}, its signature verifies (changed after recording)")
        return (f"signature mismatch at byte {offset}, and intact frames follow from byte {start}: "
                "changed after recording")
    return None


def _head_altered(view: memoryview, offset: int, following: int, hasher: hashlib.blake2b,
                  key: ed25519.Ed25519PublicKey) -> bool:
    """Whether the frame at ``offset`` verifies once its head is given the length that ends it at
    ``following`` (and any kind): proof that its head was changed, and that it was not cut."""
    length = following - offset - FRAME_HEAD.size - SIGNATURE_LEN
    for kind in FRAME_KINDS:
        candidate = hasher.copy()
        candidate.update(FRAME_HEAD.pack(kind, length))
        candidate.update(view[offset + FRAME_HEAD.size : following - SIGNATURE_LEN])
        try:
            key.verify(bytes(view[following - SIGNATURE_LEN : following]), candidate.digest())
        except InvalidSignature:
            continue
        return True
    return False


def _lands(view: memoryview, start: int) -> bool:
    """A complete frame starts at ``start`` and ends at the end of the file or where another complete
    frame starts: the structure written frames have and random, zeroed or stale bytes almost never do."""
    frame = _frame_at(view, start)
    if frame is None:
        return False
    after = frame[2] + SIGNATURE_LEN
    return after == len(view) or _frame_at(view, after) is not None


def _tail_kind(view: memoryview, offset: int) -> str:
    tail = view[offset:]
    if tail.tobytes().count(0) == len(tail):
        return TAIL_ZEROS
    return TAIL_PARTIAL if len(tail) < FRAME_HEAD.size or _head_at(view, offset) is not None else TAIL_UNREADABLE


def verify_device_key(segment: Segment, trusted: dict[str, ed25519.Ed25519PublicKey]) -> str | None:
    """None when the segment was signed by a trusted device key, else why not."""
    kid = key_id(segment.device_key)
    if kid != segment.header.get("device_key_id"):
        return "header key id does not match its key"
    if trusted and kid not in trusted:
        return f"signed by device key {kid}, which is not a registered device key"
    return None


def decrypt_segment(segment: Segment, agency_key: x25519.X25519PrivateKey) -> list[Packet]:
    """The segment's packets, in the file's order."""
    return list(decrypted(segment, agency_key))


def decrypted(segment: Segment, agency_key: x25519.X25519PrivateKey) -> Iterator[Packet]:
    """The segment's packets in the file's order, one chunk in memory at a time. A segment verified
    without its bytes is read again first, and must be the very file that was verified."""
    if segment.chunk_count and not segment.chunks:
        segment = _read_again(segment)
    header = segment.header
    try:
        data_key = HPKE.decrypt(unb64(str(header["wrapped_key"])), agency_key, info=wrap_info(header))
    except Exception:  # the HPKE binding raises one generic error for every wrong key
        raise DecryptError(
            f"{segment.path.name}: the agency key does not open this segment "
            f"(recorded for agency key {header.get('agency_key_id')}, given {key_id(agency_key.public_key())})"
        ) from None
    aead = CIPHERS[str(header["cipher"])](data_key)
    for index, ciphertext in enumerate(segment.chunks):
        try:
            plaintext = aead.decrypt(chunk_nonce(index), ciphertext, chunk_aad(segment.header_digest, index))
        except InvalidTag:
            raise DecryptError(f"{segment.path.name}: chunk {index} fails authentication") from None
        if segment.mapping is not None:
            _give_back(segment.mapping, len(segment.mapping))
        yield from decode_records(plaintext)


def _read_again(verified: Segment) -> Segment:
    again = read_segment(verified.path)
    if again.hash != verified.hash or again.damage or again.chunk_count != verified.chunk_count:
        raise SegmentError(verified.path.name, "changed", "changed since it was verified: verify it again")
    return again
