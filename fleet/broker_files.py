"""The camera's broker files for ``bodycam deploy --control-room DIR`` (as ``bodycam station
broker-certificate`` writes them), checked before anything reaches the camera: a certificate for another
camera would be refused its topic by the broker's ACL, and a key of another certificate by the broker."""

from __future__ import annotations

from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from bodycam.errors import BodycamError
from storage.status_messages import CA, CERTIFICATE, KEY

FILES = (CERTIFICATE, KEY, CA)
MAX_BYTES = 64 * 1024


class BrokerFilesError(BodycamError, ValueError):
    """The folder's files are not one camera's certificate, its key and the CA; the message says which."""


def check(folder: Path, camera: str) -> list[Path]:
    """The three files of ``folder`` if they are ``camera``'s certificate signed by the CA, with its key."""
    try:
        data = {name: _read(folder / name) for name in FILES}
        certificate = x509.load_pem_x509_certificate(data[CERTIFICATE])
        authority = x509.load_pem_x509_certificate(data[CA])
        key = serialization.load_pem_private_key(data[KEY], password=None)
    except ValueError as exc:
        raise BrokerFilesError(f"{folder}: {exc}; write the files again with `bodycam station broker-certificate "
                               f"{camera} --out {folder}`") from None
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    named = str(names[0].value) if names else ""
    if named != camera:
        raise BrokerFilesError(f"{folder / CERTIFICATE}: issued to {named!r}, not to {camera!r}; the broker would "
                               f"refuse it the camera's topic (bodycam station broker-certificate {camera})")
    if key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) \
            != certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                      serialization.PublicFormat.SubjectPublicKeyInfo):
        raise BrokerFilesError(f"{folder / KEY}: not the key of {folder / CERTIFICATE}")
    try:
        certificate.verify_directly_issued_by(authority)
    except (ValueError, TypeError, InvalidSignature):
        raise BrokerFilesError(f"{folder / CERTIFICATE}: not issued by {folder / CA}: another station's "
                               "certificate") from None
    return [folder / name for name in FILES]


def _read(path: Path) -> bytes:
    try:
        with path.open("rb") as file:
            data = file.read(MAX_BYTES + 1)
    except OSError as exc:
        raise BrokerFilesError(f"{path}: {exc.strerror}; the folder needs {', '.join(FILES)} as "
                               "bodycam station broker-certificate writes them") from None
    if len(data) > MAX_BYTES:
        raise BrokerFilesError(f"{path}: larger than {MAX_BYTES} bytes: not a certificate file")
    return data
