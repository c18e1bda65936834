"""The control room's certificates: a certificate authority of the station's own, which signs the MQTT
broker's server certificate and one client certificate per camera (its common name is the camera's
name, which the broker takes as the user name its ACL names), and the revocation list that refuses a
camera lost or retired. Nothing of the town's other PKI is trusted or needed.

The CA's key lives beside the station key (``<store>/keys/mqtt-ca.key``, 0600). Its keys are ECDSA
P-256, which every MQTT client's TLS takes (not every one takes Ed25519 certificates).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from ipaddress import ip_address
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_DAYS = 3650
CLIENT_DAYS = 825
"""A camera's certificate outlives a camera's service; a retired or lost one is revoked, not waited out."""
CA_NAME = "Bodycam Leitstelle CA"


@dataclass(frozen=True)
class Issued:
    key_pem: bytes
    cert_pem: bytes
    serial: int


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _key_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def certificate_authority(keys: Path, at: datetime) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """The store's MQTT CA, made at its first use."""
    key_path, cert_path = keys / "mqtt-ca.key", keys / "mqtt-ca.pem"
    if key_path.exists():
        key = serialization.load_pem_private_key(key_path.read_bytes(), None)
        assert isinstance(key, ec.EllipticCurvePrivateKey)
        return key, x509.load_pem_x509_certificate(cert_path.read_bytes())
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(_name(CA_NAME)).issuer_name(_name(CA_NAME))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(at - timedelta(minutes=5)).not_valid_after(at + timedelta(days=CA_DAYS))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
            .sign(key, hashes.SHA256()))
    descriptor = os.open(key_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(_key_pem(key))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return key, cert


def issue(ca: tuple[ec.EllipticCurvePrivateKey, x509.Certificate], common_name: str, at: datetime,
          server_names: tuple[str, ...] = ()) -> Issued:
    """A client certificate for ``common_name`` (a camera, or the station's control-room reader), or with
    ``server_names`` the broker's server certificate for those host names and addresses."""
    ca_key, ca_cert = ca
    key = ec.generate_private_key(ec.SECP256R1())
    serial = x509.random_serial_number()
    usage = ExtendedKeyUsageOID.SERVER_AUTH if server_names else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (x509.CertificateBuilder().subject_name(_name(common_name)).issuer_name(ca_cert.subject)
               .public_key(key.public_key()).serial_number(serial)
               .not_valid_before(at - timedelta(minutes=5)).not_valid_after(at + timedelta(days=CLIENT_DAYS))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False))
    if server_names:
        builder = builder.add_extension(x509.SubjectAlternativeName([_general_name(n) for n in server_names]),
                                        critical=False)
    cert = builder.sign(ca_key, hashes.SHA256())
    return Issued(_key_pem(key), cert.public_bytes(serialization.Encoding.PEM), serial)


def _general_name(name: str) -> x509.GeneralName:
    try:
        return x509.IPAddress(ip_address(name))
    except ValueError:
        return x509.DNSName(name)


def revocation_list(ca: tuple[ec.EllipticCurvePrivateKey, x509.Certificate], revoked: list[tuple[int, datetime]],
                    at: datetime) -> bytes:
    """The CRL the broker refuses revoked certificates by (mosquitto's ``crlfile``), valid for a week:
    the station writes it again whenever it writes the broker's files."""
    ca_key, ca_cert = ca
    builder = (x509.CertificateRevocationListBuilder().issuer_name(ca_cert.subject)
               .last_update(at - timedelta(minutes=5)).next_update(at + timedelta(days=7)))
    for serial, when in revoked:
        builder = builder.add_revoked_certificate(
            x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build())
    return builder.sign(ca_key, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)
