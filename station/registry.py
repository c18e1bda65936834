"""The device registry: which key belongs to which camera, where it is reached, and whether it is
still trusted. Written by enrolment only; offload and verify take keys from here, never from data."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from bodycam.errors import EXIT_USAGE, BodycamError
from station.store import Store, now
from storage.identifiers import check_device_key_id, parse_utc
from storage.keys import key_id
from storage.report import RecordingReport

if TYPE_CHECKING:
    from station.models import Device


class RegistryError(BodycamError, ValueError):
    """An unknown device, a malformed key, or a change the registry refuses."""
    exit_code = EXIT_USAGE


def public_key(pem: str) -> ed25519.Ed25519PublicKey:
    try:
        key = load_pem_public_key(pem.encode())
    except ValueError:
        raise RegistryError("the device public key is not a PEM public key") from None
    if not isinstance(key, ed25519.Ed25519PublicKey):
        raise RegistryError("the device public key is not an Ed25519 key")
    return key


def pinned_host_keys(text: str) -> str:
    """``type base64`` per line, the form of a .pub file or of ssh-keyscan without the host."""
    lines = []
    for line in text.strip().splitlines():
        words = line.split()
        if len(words) >= 3 and not words[0].startswith(("ssh-", "ecdsa-", "sk-")):
            words = words[1:]  # a known_hosts line: drop the host
        if len(words) < 2 or not words[0].startswith(("ssh-", "ecdsa-", "sk-")):
            raise RegistryError(f"host key {line.strip()!r}: expected 'ssh-ed25519 AAAA…'")
        lines.append(f"{words[0]} {words[1]}")
    if not lines:
        raise RegistryError("no host key given: the station pins each camera's SSH host key")
    return "\n".join(lines)


def enrol(store: Store, name: str, host: str, port: int, ssh_user: str, device_pub: str, host_key: str,
          firmware_version: str = "", who: str | None = None) -> Device:
    """Register a camera, or update where it is reached. A key never moves to another name."""
    from station.models import Device

    kid = key_id(public_key(device_pub))
    pinned = pinned_host_keys(host_key)
    with store.db.atomic():
        by_name = store.db.query(Device).filter(name=name).first()
        if by_name is not None and by_name.key_id != kid:
            raise RegistryError(f"the name {name} belongs to device key {by_name.key_id}; retire it first "
                                "or choose another name")
        device = store.db.query(Device).filter(key_id=kid).first()
        if device is None:
            device = Device(key_id=kid, public_key=device_pub, enrolled_at=now())
        elif device.status != Device.ACTIVE:
            raise RegistryError(f"device key {kid} is marked {device.status}; a lost or retired key is not re-enrolled")
        device.name, device.host, device.port, device.ssh_user = name, host, port, ssh_user
        device.host_key, device.firmware_version = pinned, firmware_version or device.firmware_version
        device.save(using=store.db.alias)
        store.log("enrolled", kid, who, name=name, host=host, port=port, host_key=pinned, firmware=firmware_version)
    return device


def find(store: Store, ref: str) -> Device:
    """A device by name or key id."""
    from station.models import Device

    device = store.db.query(Device).filter(name=ref).first() or store.db.query(Device).filter(key_id=ref).first()
    if device is None:
        raise RegistryError(f"no device {ref!r} in the registry: enrol it with `bodycam station enrol` "
                            "or `bodycam deploy --store`")
    return device


def set_status(store: Store, ref: str, status: str, reason: str, who: str | None = None) -> Device:
    """Mark a camera lost (its key is refused for what starts after now) or retired."""
    from station.models import Device

    if status not in (Device.LOST, Device.RETIRED, Device.ACTIVE):
        raise RegistryError(f"status {status!r}: lost, retired or active")
    if not reason.strip():
        raise RegistryError("give a reason (report number, decision)")
    with store.db.atomic():
        device = find(store, ref)
        if device.status == Device.LOST and status == Device.ACTIVE:
            raise RegistryError("a lost key stays lost: enrol the found camera with a new key")
        device.status, device.status_since = status, now()
        device.save(using=store.db.alias)
        store.log(f"device-{status}", device.key_id, who, reason=reason)
    return device


def trusted_keys(store: Store) -> tuple[dict[str, ed25519.Ed25519PublicKey], dict[str, datetime]]:
    """Every registered key, and for each key marked lost the moment the loss was reported."""
    from station.models import Device

    keys, lost = {}, {}
    for device in store.db.query(Device).all():
        keys[check_device_key_id(device.key_id)] = public_key(device.public_key)
        if device.status == Device.LOST and device.status_since is not None:
            lost[device.key_id] = device.status_since
    return keys, lost


def refuse_lost(reports: list[RecordingReport], lost: dict[str, datetime]) -> None:
    """A recording that starts after its key was reported lost was made by whoever has the camera now."""
    for report in reports:
        first = report.first
        if first is None or str(first.header.get("device_key_id")) not in lost:
            continue
        since = lost[str(first.header["device_key_id"])]
        started = parse_utc(first.header.get("started_utc")) or since  # no readable start: refused too
        if started >= since:
            report.problems.append(f"{report.id}: foreign: device key {first.header['device_key_id']} was "
                                   f"reported lost at {since.isoformat(timespec='seconds')}; this recording "
                                   "starts after that")
