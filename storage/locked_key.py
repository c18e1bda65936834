"""The agency key locked with a passphrase: ``bodycam-locked-key/2``, scrypt and ChaCha20-Poly1305.

Version 1 was PKCS#8 ``ENCRYPTED PRIVATE KEY`` as the ``cryptography`` package writes it: PBKDF2 with
2,048 iterations, which a graphics card tries in the billions a day. Version 2 is a JSON object:

    {"format": "bodycam-locked-key/2", "public": <b64 raw X25519 public key>,
     "kdf": {"name": "scrypt", "n": 131072, "r": 8, "p": 1, "salt": <b64, 16 bytes>},
     "aead": "chacha20poly1305", "nonce": <b64, 12 bytes>, "ciphertext": <b64, 32 bytes + 16 tag>}

The key-encryption key is scrypt(passphrase, salt, n, r, p) (RFC 7914; 128 MiB and about a second a
try); the ciphertext is the raw private key sealed under it, with every other field (canonical JSON, keys
sorted, no spaces) as associated data, so no parameter can be changed unnoticed. The parameters a file
may name are bounded: a file cannot make its reader spend more than 1 GiB or a minute.
"""

from __future__ import annotations

import base64
import json
import os
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from bodycam.errors import BodycamError

FORMAT = "bodycam-locked-key/2"
SCRYPT = {"n": 2**17, "r": 8, "p": 1}
"""What new files use: the memory-hard cost OWASP recommends for scrypt (2^17, 8, 1)."""
LIMITS = {"n": (2**14, 2**20), "r": (1, 8), "p": (1, 4)}
MAX_FILE = 4096
RAW = serialization.Encoding.Raw


class LockedKeyError(BodycamError, ValueError):
    """Not a version-2 file, a parameter out of bounds, or the wrong passphrase (the message says which)."""


def is_locked_key(data: bytes) -> bool:
    return data.lstrip()[:1] == b"{"


def lock(private: x25519.X25519PrivateKey, passphrase: bytes) -> bytes:
    public = private.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)
    header: dict[str, Any] = {"format": FORMAT, "public": _b64(public),
                              "kdf": {"name": "scrypt", **SCRYPT, "salt": _b64(os.urandom(16))},
                              "aead": "chacha20poly1305", "nonce": _b64(os.urandom(12))}
    raw = private.private_bytes(RAW, serialization.PrivateFormat.Raw, serialization.NoEncryption())
    sealed = ChaCha20Poly1305(_kek(header["kdf"], passphrase)).encrypt(base64.b64decode(header["nonce"]), raw,
                                                                     _canonical(header))
    return (json.dumps({**header, "ciphertext": _b64(sealed)}, indent=1) + "\n").encode()


def unlock(data: bytes, passphrase: bytes) -> x25519.X25519PrivateKey:
    if len(data) > MAX_FILE:
        raise LockedKeyError(f"{len(data)} bytes, not a locked key (at most {MAX_FILE})")
    try:
        document = json.loads(data)
        header = {name: document[name] for name in ("format", "public", "kdf", "aead", "nonce")}
        sealed, nonce = base64.b64decode(document["ciphertext"], validate=True), base64.b64decode(header["nonce"])
    except (ValueError, KeyError, TypeError):
        raise LockedKeyError("not a bodycam-locked-key/2 file (damaged or cut)") from None
    if header["format"] != FORMAT or header["aead"] != "chacha20poly1305" or len(nonce) != 12:
        raise LockedKeyError(f"format {str(header['format'])[:40]!r}: this firmware reads {FORMAT}")
    try:
        raw = ChaCha20Poly1305(_kek(header["kdf"], passphrase)).decrypt(nonce, sealed, _canonical(header))
    except InvalidTag:
        raise LockedKeyError("wrong passphrase, or the file was changed") from None
    private = x25519.X25519PrivateKey.from_private_bytes(raw)
    if _b64(private.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)) != header["public"]:
        raise LockedKeyError("the key does not match the public key the file names")
    return private


def _kek(kdf: object, passphrase: bytes) -> bytes:
    """The key-encryption key; parameters outside ``LIMITS`` are refused before any work."""
    if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
        raise LockedKeyError("kdf: only scrypt is read")
    for name, (low, high) in LIMITS.items():
        value = kdf.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise LockedKeyError(f"kdf.{name} {str(value)[:20]}: from {low} to {high}")
    if kdf["n"] & (kdf["n"] - 1):
        raise LockedKeyError(f"kdf.n {kdf['n']}: a power of two")
    try:
        salt = base64.b64decode(str(kdf.get("salt")), validate=True)
    except ValueError:
        raise LockedKeyError("kdf.salt: not base64") from None
    if len(salt) < 16:
        raise LockedKeyError("kdf.salt: at least 16 bytes")
    return Scrypt(salt=salt, length=32, n=kdf["n"], r=kdf["r"], p=kdf["p"]).derive(passphrase)


def _canonical(header: dict[str, Any]) -> bytes:
    return json.dumps(header, sort_keys=True, separators=(",", ":")).encode()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
