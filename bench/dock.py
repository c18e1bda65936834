"""A badge laid on the reader until the dock page shows the camera handed out: the PC/SC read (Debian's
pcscd, the vpcd virtual reader, the test badge), the check-out and the page; against the bare UID read
through the same pcscd in the same run, in paired rounds. And the camera told its wearer over SSH (the
signed pseudonym, kept by the camera's assignment session), against a bare SSH command to the same
sshd."""

from __future__ import annotations

import subprocess
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from bench.table import Paired, Row, paired_rounds
from station.database import setup_django
from storage.keys import ensure_sim_keys
from tests.badges import READER, Badge, Pcscd, client_environment
from tests.sshd import start_sshd
from tests.stations import BODYCAM, enrolled
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


def tell_vs_ssh(directory: Path) -> Paired:
    """The station telling a camera (a sandbox data dir behind a real sshd) its wearer, each round a newer
    assignment; against ``ssh camera true`` with the same key and host key."""
    setup_django()
    from station.camera_assignment import Reach, tell_camera
    from station.models import Device, Officer
    from station.store import Store, now

    server, process = start_sshd(directory / "sshd")
    camera = directory / "camera"
    ensure_sim_keys(camera / "keys")
    (camera / "assignment").mkdir()  # the firmware's, at its start
    store = Store.init(directory / "tell-store")
    enrolled(store, camera, server)
    device = store.db.query(Device).get()
    officer = store.db.query(Officer).create(personnel_number="4711", name="Anna Berg")
    reach = Reach(identity=server.identity, data_dir=str(camera), remote_bodycam=BODYCAM)

    def ours() -> float:
        start = time.perf_counter()
        why = tell_camera(store, device, officer, now(), reach, "bench")
        seconds = time.perf_counter() - start
        assert why is None, why
        return seconds

    def baseline() -> float:
        start = time.perf_counter()
        subprocess.run(["ssh", *server.ssh_options(), f"{server.user}@{server.host}", "true"], check=True,
                       capture_output=True, timeout=30)
        return time.perf_counter() - start

    try:
        return paired_rounds(ours, baseline, ROUNDS)
    finally:
        process.terminate()
        process.wait(timeout=10)


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as directory:
        rounds = tap_vs_read(Path(directory))
        told = tell_vs_ssh(Path(directory))
    return [Row.paired("badge laid on the reader to the camera shown handed out on the dock page", "ms",
                       Paired([s * 1000 for s in rounds.ours], [s * 1000 for s in rounds.baseline]),
                       "the bare PC/SC UID read"),
            Row.paired("the camera told its wearer over SSH (signed, sent, checked and kept on the camera)", "ms",
                       Paired([s * 1000 for s in told.ours], [s * 1000 for s in told.baseline]),
                       "a bare `ssh camera true` to the same sshd")]
