"""The segment file format, version 1: framing, signatures, chunk encryption. Spec: docs/segment-format.md.

    file    = MAGIC frame*
    frame   = kind:u8 | length:u32be | payload | signature:64
    kinds   = 'H' header (first, once) · 'C' chunk (AEAD ciphertext) · 'T' trailer (last, once)
    signature = Ed25519(device key, BLAKE2b-256(every byte of the file before this signature))

Each frame's signature covers the whole file up to it, so a file cut anywhere verifies up to its last
complete frame, and a changed byte anywhere breaks every later signature.
"""

from __future__ import annotations

import base64
import errno
import hashlib
import os
import stat
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.hpke import AEAD, KDF, KEM, Suite

MAGIC = b"BODYCAM\x01"
FORMAT_VERSION = 1
FORMAT_MINOR = 1
"""1.1 files are 1.0 files with more said in their headers: a 1.0 reader reads them unchanged."""
FRAME_HEAD = struct.Struct(">BI")
SIGNATURE_LEN = 64
KIND_HEADER, KIND_CHUNK, KIND_TRAILER = b"H"[0], b"C"[0], b"T"[0]
FRAME_KINDS = (KIND_CHUNK, KIND_TRAILER, KIND_HEADER)
RECORD_HEAD = struct.Struct(">BBqI")
STREAM_CODES = {"video": 1, "audio": 2}
STREAM_NAMES = {code: name for name, code in STREAM_CODES.items()}
FLAG_KEYFRAME = 0x01
MAX_FRAME = 64 * 1024 * 1024
ZERO_HASH = "0" * 64

CIPHERS: dict[str, type[ChaCha20Poly1305 | AESGCM]] = {"chacha20-poly1305": ChaCha20Poly1305, "aes-256-gcm": AESGCM}
KEY_WRAP = "hpke-x25519-hkdf-sha256-chacha20poly1305"
HPKE = Suite(KEM.X25519, KDF.HKDF_SHA256, AEAD.CHACHA20_POLY1305)


@dataclass(frozen=True)
class Packet:
    stream: str
    keyframe: bool
    pts_us: int
    data: bytes


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text, validate=True)


def wrap_info(header: dict[str, object]) -> bytes:
    """HPKE ``info``: binds a wrapped data key to its recording, segment and device."""
    return f"bodycam/segment/v1/{header['recording_id']}/{header['sequence']}/{header['device_key_id']}".encode()


def chunk_nonce(index: int) -> bytes:
    return index.to_bytes(12, "big")


def chunk_aad(header_digest: bytes, index: int) -> bytes:
    return header_digest + index.to_bytes(8, "big")


def encode_record_head(packet: Packet) -> bytes:
    """The 14 bytes before a packet's data in a chunk's plaintext."""
    flags = FLAG_KEYFRAME if packet.keyframe else 0
    return RECORD_HEAD.pack(STREAM_CODES[packet.stream], flags, packet.pts_us, len(packet.data))


def decode_records(plaintext: bytes) -> list[Packet]:
    packets, offset = [], 0
    while offset < len(plaintext):
        stream, flags, pts, length = RECORD_HEAD.unpack_from(plaintext, offset)
        offset += RECORD_HEAD.size
        packets.append(Packet(STREAM_NAMES[stream], bool(flags & FLAG_KEYFRAME), pts,
                              plaintext[offset : offset + length]))
        offset += length
    return packets


def file_hasher() -> hashlib.blake2b:
    """The running hash that frame signatures and the segment chain use.

    BLAKE2b rather than SHA-256: the Pi Zero 2 W, 3 and 4 have no SHA instructions, and hashing every
    recorded byte is the largest cost of the recording path (docs/performance.md).
    """
    return hashlib.blake2b(digest_size=32)


def header_digest(header_payload: bytes) -> bytes:
    return hashlib.sha256(header_payload).digest()


def hash_file(path: str | os.PathLike[str]) -> str:
    """BLAKE2b-256 of a whole file, hex: a segment's chain hash, and what an offload receipt names. Only a
    regular file is read: a FIFO or device under a segment's name would block the reader or never end, so
    it is opened without waiting and refused (OSError), as is a link."""
    hasher = file_hasher()
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", str(path))
    with open(fd, "rb") as f:
        while block := f.read(1 << 20):
            hasher.update(block)
    return hasher.hexdigest()


FileStamp = tuple[int, int, int, int]


def file_stamp(path: str | os.PathLike[str]) -> FileStamp:
    """Inode, size, mtime and ctime: equal stamps mean the file was not written in between (any write
    changes the ctime, which no program can set back)."""
    st = os.stat(path)
    return st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns
