"""HPKE base-mode seal (RFC 9180) with a given ephemeral key, written from the RFC for the test vectors.

The library's HPKE draws a fresh ephemeral key every call, as it must; the vectors need the same bytes
every run, so they wrap their data keys here with ephemeral keys derived from a fixed seed. The project's
reader opens them with the library, which also shows that the format's key wrap is plain RFC 9180.
Suite: DHKEM(X25519, HKDF-SHA256) 0x0020, HKDF-SHA256 0x0001, ChaCha20-Poly1305 0x0003.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives.asymmetric import x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

KEM_SUITE = b"KEM" + (0x0020).to_bytes(2, "big")
HPKE_SUITE = b"HPKE" + (0x0020).to_bytes(2, "big") + (0x0001).to_bytes(2, "big") + (0x0003).to_bytes(2, "big")
MODE_BASE = b"\x00"


def _extract(salt: bytes, ikm: bytes) -> bytes:
    return hmac.new(salt, ikm, hashlib.sha256).digest()


def _expand(prk: bytes, info: bytes, length: int) -> bytes:
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out, counter = out + block, counter + 1
    return out[:length]


def _labeled_extract(suite: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    return _extract(salt, b"HPKE-v1" + suite + label + ikm)


def _labeled_expand(suite: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    return _expand(prk, length.to_bytes(2, "big") + b"HPKE-v1" + suite + label + info, length)


def seal(plaintext: bytes, recipient: x25519.X25519PublicKey, info: bytes,
         ephemeral: x25519.X25519PrivateKey) -> bytes:
    """Single-shot ``enc ‖ ciphertext`` with empty AAD, as ``Suite.encrypt`` returns it."""
    enc = ephemeral.public_key().public_bytes_raw()
    kem_context = enc + recipient.public_bytes_raw()
    eae_prk = _labeled_extract(KEM_SUITE, b"", b"eae_prk", ephemeral.exchange(recipient))
    shared_secret = _labeled_expand(KEM_SUITE, eae_prk, b"shared_secret", kem_context, 32)
    context = (MODE_BASE + _labeled_extract(HPKE_SUITE, b"", b"psk_id_hash", b"")
               + _labeled_extract(HPKE_SUITE, b"", b"info_hash", info))
    secret = _labeled_extract(HPKE_SUITE, shared_secret, b"secret", b"")
    key = _labeled_expand(HPKE_SUITE, secret, b"key", context, 32)
    nonce = _labeled_expand(HPKE_SUITE, secret, b"base_nonce", context, 12)
    return enc + ChaCha20Poly1305(key).encrypt(nonce, plaintext, b"")
