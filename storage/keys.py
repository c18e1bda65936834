"""Key files: the evidence office's X25519 pair and the device's Ed25519 signing key.

The device holds the agency *public* key only, so a stolen device exposes no footage. Private keys
are files created with mode 0600 and never overwritten (``rewrap`` replaces one atomically): PEM
(PKCS#8), or, for an agency key with a passphrase, ``storage.locked_key``'s scrypt format; agency keys
locked with PBKDF2 by earlier versions still open.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, x25519

from bodycam.errors import EXIT_USAGE, BodycamError
from storage.durable import fsync_dir
from storage.identifiers import raw_key_id
from storage.locked_key import SCRYPT, LockedKeyError, is_locked_key, lock, unlock

RAW = serialization.Encoding.Raw, serialization.PublicFormat.Raw
SIM_LABEL = (
    "SIMULATOR KEYS - NOT FOR EVIDENCE.\n"
    "These keys were created by `bodycam sim` so that a developer can export what the simulator\n"
    "recorded. Real devices never hold agency.key; it stays with the evidence office.\n"
)


class KeyFileError(BodycamError, ValueError):
    """A key file is missing, unreadable, of the wrong kind, or locked with another passphrase."""
    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class DeviceKeys:
    signing: ed25519.Ed25519PrivateKey
    agency: x25519.X25519PublicKey


def key_id(public_key: ed25519.Ed25519PublicKey | x25519.X25519PublicKey) -> str:
    """Short fingerprint of a public key: the first 8 bytes of SHA-256 over its raw form, in hex."""
    return raw_key_id(public_key.public_bytes(*RAW))


def _write_new(path: Path, data: bytes, mode: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise KeyFileError(f"{path}: already exists; refusing to overwrite a key") from None
    with os.fdopen(fd, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.chmod(path, mode)  # the umask must not widen or narrow what we ask for


def _public_pem(key: ed25519.Ed25519PublicKey | x25519.X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _private_pem(key: ed25519.Ed25519PrivateKey | x25519.X25519PrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _agency_key_file(key: x25519.X25519PrivateKey, passphrase: bytes | None) -> bytes:
    return lock(key, passphrase) if passphrase else _private_pem(key)


def create_agency_keys(out_dir: Path, passphrase: bytes | None = None) -> tuple[Path, Path]:
    """A new evidence-office key pair: ``agency.key`` (0600, optionally passphrase-locked), ``agency.pub``."""
    private = x25519.X25519PrivateKey.generate()
    key_path, pub_path = out_dir / "agency.key", out_dir / "agency.pub"
    if pub_path.exists():
        raise KeyFileError(f"{pub_path}: already exists; refusing to overwrite a key")
    _write_new(key_path, _agency_key_file(private, passphrase), 0o600)
    _write_new(pub_path, _public_pem(private.public_key()), 0o644)
    return key_path, pub_path


def create_device_key(keys_dir: Path) -> Path:
    """The device's signing key ``device.key`` (0600) and ``device.pub``; an existing key is kept."""
    return create_signing_key(keys_dir, "device")


def create_signing_key(keys_dir: Path, name: str) -> Path:
    """An Ed25519 signing key ``<name>.key`` (0600) and ``<name>.pub``: a device's, or the station's.
    An existing key is kept."""
    key_path, pub_path = keys_dir / f"{name}.key", keys_dir / f"{name}.pub"
    if key_path.exists():
        load_device_key(key_path)  # must be usable
        return pub_path
    private = ed25519.Ed25519PrivateKey.generate()
    _write_new(key_path, _private_pem(private), 0o600)
    if pub_path.exists():
        pub_path.unlink()  # a public key without its private half is stale
    _write_new(pub_path, _public_pem(private.public_key()), 0o644)
    return pub_path


def ensure_sim_keys(keys_dir: Path) -> None:
    """Clearly labelled keys for the simulator, created once per data dir."""
    if not (keys_dir / "agency.pub").exists():
        create_agency_keys(keys_dir)
        (keys_dir / "README-SIMULATOR-KEYS.txt").write_text(SIM_LABEL)
    create_device_key(keys_dir)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise KeyFileError(f"{path}: key file not found") from None
    except OSError as exc:
        raise KeyFileError(f"{path}: cannot read key file: {exc.strerror}") from None


def _load_private(path: Path, passphrase: bytes | None) -> object:
    data = _read(path)
    try:
        return serialization.load_pem_private_key(data, password=passphrase)
    except TypeError:
        if passphrase:
            raise KeyFileError(f"{path}: the key is not passphrase-protected; leave the passphrase out") from None
        raise KeyFileError(f"{path}: the key is passphrase-protected; give the passphrase") from None
    except (ValueError, UnsupportedAlgorithm):
        if passphrase:
            raise KeyFileError(f"{path}: wrong passphrase, or not a PEM private key") from None
        raise KeyFileError(f"{path}: not a PEM private key") from None


def _load_public(path: Path) -> object:
    data = _read(path)  # outside the try: its KeyFileError ("not found") is a ValueError too
    try:
        return serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise KeyFileError(f"{path}: not a PEM public key") from None


def load_agency_private(path: Path, passphrase: bytes | None = None) -> x25519.X25519PrivateKey:
    data = _read(path)
    if is_locked_key(data):
        if not passphrase:
            raise KeyFileError(f"{path}: the key is passphrase-protected; give the passphrase")
        try:
            return unlock(data, passphrase)
        except LockedKeyError as exc:
            raise KeyFileError(f"{path}: {exc}") from None
    key = _load_private(path, passphrase)
    if not isinstance(key, x25519.X25519PrivateKey):
        raise KeyFileError(f"{path}: not an agency key (expected X25519, found {type(key).__name__})")
    return key


def rewrap_agency_key(path: Path, passphrase: bytes | None, new_passphrase: bytes | None) -> str:
    """Writes the agency key again, locked with ``new_passphrase`` in the current format (or unlocked
    without one): the same key, so every recording still opens. Replaces the file atomically, mode 0600.
    Says what it did."""
    key = load_agency_private(path, passphrase)
    was = "scrypt" if is_locked_key(_read(path)) else "PBKDF2 (PKCS#8)" if passphrase else "no passphrase"
    partial = path.with_name(f".{path.name}.new")
    partial.unlink(missing_ok=True)
    _write_new(partial, _agency_key_file(key, new_passphrase), 0o600)
    os.replace(partial, path)
    fsync_dir(path.parent)
    now = f"scrypt (n={SCRYPT['n']}, r={SCRYPT['r']}, p={SCRYPT['p']})" if new_passphrase else "no passphrase"
    return f"{path}: key {key_id(key.public_key())} rewrapped: was {was}, now {now}"


def load_agency_public(path: Path) -> x25519.X25519PublicKey:
    key = _load_public(path)
    if not isinstance(key, x25519.X25519PublicKey):
        raise KeyFileError(f"{path}: not an agency public key (expected X25519)")
    return key


def load_device_key(path: Path) -> ed25519.Ed25519PrivateKey:
    """An Ed25519 signing key: the device's, or the station's (same kind, same file format)."""
    key = _load_private(path, None)
    if not isinstance(key, ed25519.Ed25519PrivateKey):
        raise KeyFileError(f"{path}: not a signing key (expected Ed25519)")
    return key


def load_device_public(path: Path) -> ed25519.Ed25519PublicKey:
    key = _load_public(path)
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise KeyFileError(f"{path}: not a device or station public key (expected Ed25519)")
    return key


def load_station_public(path: Path) -> ed25519.Ed25519PublicKey:
    """The evidence station's receipt key, installed on the camera at enrolment."""
    try:
        return load_device_public(path)
    except KeyFileError as exc:
        raise KeyFileError(f"{exc}; the station key is installed at enrolment (bodycam deploy --station-pub)") from None


def load_device_keys(keys_dir: Path) -> DeviceKeys:
    """What the device needs to record: its signing key and the agency public key."""
    if (keys_dir / "agency.key").exists() and not (keys_dir / "README-SIMULATOR-KEYS.txt").exists():
        raise KeyFileError(f"{keys_dir / 'agency.key'}: the agency private key must never be on a device; "
                           "remove it and keep it at the evidence office")
    return DeviceKeys(load_device_key(keys_dir / "device.key"), load_agency_public(keys_dir / "agency.pub"))
