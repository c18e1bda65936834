"""Offload receipts: the station signs what it holds byte for byte; the camera deletes nothing else.

A receipt is ``{"receipt": body, "sig": base64}``, the signature an Ed25519 signature by the station
key over the canonical JSON of ``body``::

    body = {"version": 1, "station_key_id": "…", "device_key_id": "…", "utc": "…",
            "recordings": {recording id: {segment file name: BLAKE2b-256 hex of the file}},
            "refused": [recording id, …]}

``refused`` (optional, absent in receipts of stations before it) names recordings the station refused
and keeps in its quarantine: the camera sets them aside instead of offering them at every docking.

The camera knows the station's public key from enrolment (``keys/station.pub``), so a receipt made by
anyone else, for another camera, or naming anything but segment files of well-formed recordings is
refused before a single file is looked at.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ed25519

from bodycam.errors import BodycamError
from storage.canonical import canonical_json, signature_matches
from storage.identifiers import (
    IdentifierError,
    check_device_key_id,
    check_file_hash,
    check_recording_id,
    check_segment_file,
)
from storage.keys import key_id
from storage.segment_format import b64, unb64

RECEIPT_VERSION = 1
Receipted = dict[str, dict[str, str]]
"""recording id → segment file name → file hash"""


class ReceiptError(BodycamError, ValueError):
    """A receipt that is not signed by this camera's station, not for this camera, or malformed."""


@dataclass(frozen=True)
class Receipt:
    """A receipt opened by the camera: every name in it checked."""

    recordings: Receipted
    refused: frozenset[str] = frozenset()


def sign_receipt(recordings: Receipted, device_key_id: str, station_key: ed25519.Ed25519PrivateKey,
                 utc: str, refused: list[str] | None = None) -> dict[str, object]:
    body: dict[str, object] = {"version": RECEIPT_VERSION, "station_key_id": key_id(station_key.public_key()),
                               "device_key_id": device_key_id, "utc": utc, "recordings": recordings}
    if refused:
        body["refused"] = sorted(refused)
    return {"receipt": body, "sig": b64(station_key.sign(canonical_json(body)))}


def open_signed(signed: object, member: str, station_key: ed25519.Ed25519PublicKey,
                error: type[BodycamError]) -> dict[str, object]:
    """The body of ``{member: body, "sig": base64}`` once the station key's signature over it verifies;
    ``error`` naming the member otherwise (a receipt, an assignment: what the station sends a camera)."""
    article = "an" if member[0] in "aeiou" else "a"
    if not isinstance(signed, dict) or not isinstance(signed.get(member), dict):
        raise error(f"not {article} {member}: expected {{\"{member}\": {{...}}, \"sig\": \"...\"}}")
    body: dict[str, object] = signed[member]
    try:
        signature = unb64(str(signed.get("sig")))
    except ValueError:
        signature = b""
    if not signature_matches(station_key, signature, body):
        raise error(f"{member} signature does not verify with this camera's station key")
    return body


def open_receipt(signed: object, station_key: ed25519.Ed25519PublicKey, device_key_id: str) -> Receipt:
    """What a receipt covers and refuses, once its signature, addressee and every name are checked."""
    body = open_signed(signed, "receipt", station_key, ReceiptError)
    if body.get("version") != RECEIPT_VERSION:
        raise ReceiptError(f"receipt version {body.get('version')!r} not supported")
    if body.get("device_key_id") != device_key_id:
        raise ReceiptError(f"receipt is for device key {body.get('device_key_id')!r}, this camera is {device_key_id}")
    recordings = body.get("recordings")
    if not isinstance(recordings, dict):
        raise ReceiptError("receipt names no recordings")
    refused = body.get("refused", [])
    if not isinstance(refused, list):
        raise ReceiptError("receipt: refused is not a list of recording ids")
    try:
        check_device_key_id(device_key_id)
        checked: Receipted = {}
        for recording, files in recordings.items():
            check_recording_id(recording, device_key_id)
            if not isinstance(files, dict) or not files:
                raise ReceiptError(f"receipt for {recording}: no files")
            checked[recording] = {check_segment_file(name): check_file_hash(digest) for name, digest in files.items()}
        set_aside = frozenset(check_recording_id(recording, device_key_id) for recording in refused)
    except IdentifierError as exc:
        raise ReceiptError(f"receipt: {exc}") from None
    if set_aside & checked.keys():
        raise ReceiptError(f"receipt both covers and refuses {sorted(set_aside & checked.keys())[0]}")
    return Receipt(checked, set_aside)
