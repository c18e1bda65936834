"""Canonical JSON: the one byte form of a value that gets signed (RFC 8785, the JSON Canonicalization
Scheme), so a verifier in any language with a JCS library computes the same bytes.

Format 1.0 signed Python's ``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)``,
which differs from JCS only in how a non-integer number is written (``5.0`` against ``5``, ``1e-07``
against ``1e-7``); verifiers accept either form (``signed_forms``), writers produce JCS.
"""

from __future__ import annotations

import hashlib
import json
import math

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ed25519

MAX_EXACT_INTEGER = 2**53 - 1
"""JCS numbers are IEEE 754 doubles: a larger integer has no exact canonical form."""


def canonical_json(value: object) -> bytes:
    return _encode(value).encode()


def signed_forms(value: object) -> list[bytes]:
    """Every byte form a signature over ``value`` may cover: JCS (1.1), and the 1.0 form where it differs."""
    legacy = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    try:
        jcs = canonical_json(value)
    except ValueError:
        return [legacy]
    return [jcs] if jcs == legacy else [jcs, legacy]


def signature_matches(key: ed25519.Ed25519PublicKey, signature: bytes, value: object,
                      sha256_first: bool = False) -> bool:
    """Whether ``signature`` signs ``value`` in one of its ``signed_forms`` (or, ``sha256_first``, the
    SHA-256 of one)."""
    for form in signed_forms(value):
        try:
            key.verify(signature, hashlib.sha256(form).digest() if sha256_first else form)
        except InvalidSignature:
            continue
        return True
    return False


def _encode(value: object) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    if isinstance(value, int):
        if abs(value) > MAX_EXACT_INTEGER:
            raise ValueError(f"{value} is not exactly representable in canonical JSON")
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # escapes exactly what JCS escapes, \u00xx in lower case
    if isinstance(value, list | tuple):
        return "[" + ",".join(_encode(item) for item in value) + "]"
    if isinstance(value, dict):
        if not all(isinstance(key, str) for key in value):
            raise ValueError("canonical JSON object keys must be strings")
        keys = sorted(value, key=lambda key: key.encode("utf-16-be"))  # JCS sorts by UTF-16 code units
        return "{" + ",".join(f"{json.dumps(key, ensure_ascii=False)}:{_encode(value[key])}" for key in keys) + "}"
    raise ValueError(f"{type(value).__name__} has no canonical JSON form")


def _number(x: float) -> str:
    """ECMAScript's Number.prototype.toString, which JCS prescribes, from Python's shortest round-trip
    digits (``repr``)."""
    if not math.isfinite(x):
        raise ValueError(f"{x} has no JSON form")
    if x == 0:
        return "0"
    if x < 0:
        return "-" + _number(-x)
    mantissa, _, exponent = repr(x).partition("e")
    whole, _, fraction = mantissa.partition(".")
    figures = whole + fraction
    point = len(whole) + int(exponent or 0)  # the decimal point sits after this many figures
    significant = figures.lstrip("0")
    point -= len(figures) - len(significant)
    digits = significant.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        return digits + "0" * (n - k)
    if 0 < n <= 21:
        return f"{digits[:n]}.{digits[n:]}"
    if -6 < n <= 0:
        return "0." + "0" * -n + digits
    e = n - 1
    sign = "+" if e >= 0 else "-"
    return (digits if k == 1 else f"{digits[0]}.{digits[1:]}") + f"e{sign}{abs(e)}"
