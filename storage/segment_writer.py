"""Writes one segment: header, encrypted chunks flushed and fsync'd as they are sealed, trailer."""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, BinaryIO

from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from bodycam.errors import BodycamError
from storage.canonical import canonical_json
from storage.segment_format import (
    CIPHERS,
    FRAME_HEAD,
    HPKE,
    KEY_WRAP,
    KIND_CHUNK,
    KIND_HEADER,
    KIND_TRAILER,
    MAGIC,
    Packet,
    b64,
    chunk_aad,
    chunk_nonce,
    encode_record_head,
    file_hasher,
    header_digest,
    wrap_info,
)

KeyWrap = Callable[[bytes, x25519.X25519PublicKey, bytes], bytes]
"""``(data_key, agency_key, info) -> enc ‖ ciphertext``: HPKE single-shot seal (spec: "Key wrap")."""


def hpke_wrap(data_key: bytes, agency_key: x25519.X25519PublicKey, info: bytes) -> bytes:
    return HPKE.encrypt(data_key, agency_key, info=info)


class SegmentWriteError(BodycamError, OSError):
    """Writing failed; the file was cut back to its last complete frame, so it stays verifiable."""


class SegmentWriter:
    def __init__(
        self,
        file: BinaryIO,
        # An unbuffered file (``open(path, "xb", buffering=0)``).
        header: dict[str, Any],
        signing_key: ed25519.Ed25519PrivateKey,
        agency_key: x25519.X25519PublicKey,
        cipher: str,
        data_key: bytes | None = None,
        wrap_key: KeyWrap | None = None,
        # Both given only by the test-vector generator, whose files must come out the same every run.
    ) -> None:
        self._file = file
        self._signing_key = signing_key
        self._hash = file_hasher()
        self._good_offset = 0
        self._good_hash = self._hash.copy()
        self._pending = bytearray()
        self.chunks = 0
        self.packets = 0
        self.first_pts_us: int | None = None
        self.last_pts_us: int | None = None
        data_key = data_key or os.urandom(32)
        self._aead = CIPHERS[cipher](data_key)
        header = {**header, "cipher": cipher, "key_wrap": KEY_WRAP}
        wrap = wrap_key or hpke_wrap
        header["wrapped_key"] = b64(wrap(data_key, agency_key, wrap_info(header)))
        payload = canonical_json(header)
        self._header_digest = header_digest(payload)
        self._write(MAGIC, frame=False)
        self._frame(KIND_HEADER, payload)

    @property
    def bytes_written(self) -> int:
        return self._good_offset

    def add(self, packet: Packet) -> None:
        self._pending += encode_record_head(packet)
        self._pending += packet.data
        self.packets += 1
        self.first_pts_us = packet.pts_us if self.first_pts_us is None else self.first_pts_us
        self.last_pts_us = packet.pts_us

    def seal(self) -> None:
        """Encrypt what was added since the last seal into one chunk, write it and make it durable."""
        if not self._pending:
            return
        plaintext, self._pending = self._pending, bytearray()
        ciphertext = self._aead.encrypt(chunk_nonce(self.chunks), plaintext, chunk_aad(self._header_digest,
                                                                                       self.chunks))
        self._frame(KIND_CHUNK, ciphertext)
        self.chunks += 1

    def hash_after(self, trailer: dict[str, Any]) -> str:
        """Seal, and return the hash the file will have once ``close(trailer)`` has written the trailer:
        the next segment's header names it, and is made durable before this file is closed."""
        self.seal()
        payload = self._trailer_payload(trailer)
        hasher = self._hash.copy()
        hasher.update(FRAME_HEAD.pack(KIND_TRAILER, len(payload)))
        hasher.update(payload)
        hasher.update(self._signing_key.sign(hasher.digest()))  # Ed25519 is deterministic: close() signs the same
        return hasher.hexdigest()

    def close(self, trailer: dict[str, Any]) -> str:
        """Seal, write the signed trailer and close; returns the file's hash (the next link of the chain)."""
        self.seal()
        self._frame(KIND_TRAILER, self._trailer_payload(trailer))
        self._file.close()
        return self._hash.hexdigest()

    def _trailer_payload(self, trailer: dict[str, Any]) -> bytes:
        return canonical_json({**trailer, "chunks": self.chunks, "packets": self.packets})

    def abandon(self) -> None:
        """Close without a trailer (the file reads as truncated at its last complete frame)."""
        self._file.close()

    def _frame(self, kind: int, payload: bytes) -> None:
        self._write(FRAME_HEAD.pack(kind, len(payload)), frame=False)
        self._write(payload, frame=False)  # written apart from its head: no copy of a megabyte chunk
        self._write(self._signing_key.sign(self._hash.digest()), frame=True)

    def _write(self, data: bytes, frame: bool) -> None:
        """Write through an unbuffered file: nothing of a failed frame can linger in a buffer."""
        try:
            view = memoryview(data)
            while view:
                view = view[self._file.write(view) :]
            if frame:
                os.fsync(self._file.fileno())
        except OSError as exc:
            self._cut_back()
            raise SegmentWriteError(exc.errno, exc.strerror) from exc
        self._hash.update(data)
        if frame:
            self._good_offset = self._file.tell()
            self._good_hash = self._hash.copy()

    def _cut_back(self) -> None:
        self._hash = self._good_hash.copy()  # the bytes of the broken frame are gone from the file too
        try:
            os.ftruncate(self._file.fileno(), self._good_offset)
            self._file.seek(self._good_offset)
        except OSError:
            pass  # truncating frees space, so this only fails if the device itself is gone
