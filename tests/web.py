"""An evidence store served by the web application, filled from the simulator's recorded camera."""

from __future__ import annotations

import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from station.roles import ADMIN, ALL_ROLES, CONTROL_ROOM, KIOSK
from station.store import Store

if TYPE_CHECKING:
    from station.models import Device, Recording

PASSWORD = "Kamera-Test-2026!"


@dataclass
class Web:
    store: Store
    recording: Recording
    device: Device

    def client(self, user: str | None = None, csrf: bool = False):
        """A Django test client, logged in as ``user`` (by the real login form, so the login is logged)."""
        from django.test import Client

        client = Client()
        if user is not None:
            response = client.post("/login/", {"username": user, "password": PASSWORD})
            assert response.status_code == 302, f"{user} could not log in"
        client.handler.enforce_csrf_checks = csrf  # from here on, a form needs the station's token
        return client

    def custody(self) -> list[tuple[str, str, str]]:
        from station.models import CustodyEntry

        return list(CustodyEntry.objects.order_by("seq").values_list("actor", "action", "subject"))


def test_environment() -> None:
    """Django's test set-up (the test client's host, template signals), once per session."""
    from django.test.utils import setup_test_environment

    with contextlib.suppress(RuntimeError):  # already set up by an earlier test
        setup_test_environment()


def host_key() -> str:
    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()


def serve_copy(template: Path, root: Path, camera: Path) -> Web:
    """A fresh copy of a store ``serve`` made (copying is much faster than accepting and hashing again)."""
    from station.models import Device, Recording
    from station.web.app import serve_store

    shutil.copytree(template, root)
    store = Store.open(root)
    serve_store(store, agency_key=camera / "keys" / "agency.key")
    return Web(store, store.db.query(Recording).order_by("started_utc").first(), store.db.query(Device).get())


def serve(camera: Path, root: Path) -> Web:
    """A store at ``root`` with ``camera``'s recordings accepted, one user per role (named after it),
    a second case worker, the dock's kiosk account, the control room's, and the camera's (simulator's)
    agency key for playback."""
    from station.accept import accept
    from station.models import Recording
    from station.registry import enrol
    from station.web.app import serve_store
    from station.web.users import add_user

    test_environment()
    store = Store.init(root)
    serve_store(store, agency_key=camera / "keys" / "agency.key")
    device = enrol(store, "cam-01", "127.0.0.1", 22, "bodycam", (camera / "keys" / "device.pub").read_text(),
                   host_key())
    shutil.copytree(camera / "recordings", store.incoming(device.key_id) / "recordings")
    shutil.copytree(camera / "audit", store.incoming(device.key_id) / "audit")
    accepted = accept(store, device)
    assert accepted.problems == [], accepted.problems
    for number, role in enumerate(ALL_ROLES, start=1):
        add_user(store, role, [role], PASSWORD, staff=role == ADMIN, personnel_number=f"P-{number:04d}")
    add_user(store, "case-worker-2", ["case-worker"], PASSWORD, personnel_number="P-0099")
    add_user(store, KIOSK, [KIOSK], PASSWORD)  # the dock's screen
    add_user(store, CONTROL_ROOM, [CONTROL_ROOM], PASSWORD)  # the town's control room
    return Web(store, store.db.query(Recording).order_by("started_utc").first(), device)
