"""A badge laid on the reader until the dock page shows the camera handed out: the PC/SC read (Debian's
pcscd, the vpcd virtual reader, the test badge), the check-out and the page; against the bare UID read
through the same pcscd in the same run, in paired rounds."""

from __future__ import annotations

import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from bench.table import Paired, Row, paired_rounds
from station.database import setup_django
from tests.badges import READER, Badge, Pcscd, client_environment
from tests.web import PASSWORD, host_key, test_environment

ROUNDS = 7
UID = "04A1B2C3D4E5F6"


def tap_vs_read(directory: Path) -> Paired:
    setup_django()
    from django.test import Client

    from station.badge_reader import Event, events
    from station.dock import Rules, handle
    from station.models import Assignment, Device, Officer, OffloadRun
    from station.models import Badge as BadgeRecord
    from station.registry import enrol
    from station.store import Store, now
    from station.web.app import serve_store
    from station.web.users import add_user

    pcscd = Pcscd(directory / "pcscd")
    client_environment(pcscd)
    badge = Badge(pcscd, UID)
    test_environment()
    store = Store.init(directory / "store")
    serve_store(store)
    add_user(store, "evidence-officer", ["evidence-officer"], PASSWORD, personnel_number="P-0001")
    device_pub = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    device = enrol(store, "cam-01", "127.0.0.1", 22, "bodycam", device_pub, host_key())
    store.db.query(OffloadRun).create(device=device, started_at=now(), finished_at=now(), outcome="ok",
                                      battery_percent=95, on_camera=0)
    store.db.query(Device).filter(pk=device.pk).update(pool=True)
    officer = store.db.query(Officer).create(personnel_number="4711", name="Anna Berg", team="KOD Mitte")
    store.db.query(BadgeRecord).create(uid=UID, officer=officer, added_at=now())
    page = Client()
    page.post("/login/", {"username": "evidence-officer", "password": PASSWORD})

    def lift() -> None:
        """Off the reader, and the virtual reader has let go of it (outside the measured time)."""
        badge.lift()
        time.sleep(0.5)

    def read() -> Event:
        """The badge laid on the reader until its UID is read (a fresh reader loop, as after a restart)."""
        badge.lay()
        reader = events(lambda: False, READER)
        try:
            return next(reader)
        finally:
            reader.close()

    def ours() -> float:
        start = time.perf_counter()
        said = handle(store, read(), Rules(), datetime.now(UTC))
        shown = page.get("/dock/").content.decode()
        seconds = time.perf_counter() - start
        assert said.startswith("Ausgegeben") and "Anna Berg (4711)" in shown, said
        lift()
        store.db.query(Assignment).all().delete()  # the next round hands the camera out again
        return seconds

    def baseline() -> float:
        start = time.perf_counter()
        event = read()
        seconds = time.perf_counter() - start
        assert event.uid == UID, event
        lift()
        return seconds

    try:
        time.sleep(0.5)  # pcscd has found the virtual reader
        return paired_rounds(ours, baseline, ROUNDS)
    finally:
        badge.lift()
        pcscd.stop()


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as directory:
        rounds = tap_vs_read(Path(directory))
    return [Row.paired("badge laid on the reader to the camera shown handed out on the dock page", "ms",
                       Paired([s * 1000 for s in rounds.ours], [s * 1000 for s in rounds.baseline]),
                       "the bare PC/SC UID read")]
