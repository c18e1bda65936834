"""The dock's badge reader for real: Debian's pcscd with the vsmartcard virtual reader, a badge of our
own speaking vpcd's protocol, pyscard reading its UID; then ``bodycam station dock`` checking a pool
camera out and in by badge, telling the camera its wearer over SSH, and saying when the reader is gone."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from office.cli import main
from station.badge_reader import Event, events
from station.models import CustodyEntry
from station.registry import enrol
from station.store import Store, now
from storage.assignment import current_path, sign_assignment
from tests.badges import READER, Badge, Pcscd, client_environment
from tests.recordings import SHORT, record, short_config
from tests.sshd import free_port
from tests.stations import BODYCAM, enrolled, offload_args
from tests.test_station_officers import LIST, _device_pub, docked, imported

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def pcscd(tmp_path_factory):
    """One pcscd per test process: its clients learn the socket's path once. The host's /run/pcscd is
    as it was before and after (pcscd wrote into the test's folder)."""
    host = Path("/run/pcscd/pcscd.comm")
    before = host.exists()
    daemon = Pcscd(tmp_path_factory.mktemp("pcscd"))
    client_environment(daemon)
    assert host.exists() == before and daemon.socket.is_socket()
    yield daemon
    daemon.stop()
    assert host.exists() == before


class Listening:
    """The reader's events, collected in a thread until ``stop``."""

    def __init__(self) -> None:
        self.seen: list[Event] = []
        self.stopped = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        for event in events(lambda: self.stopped, READER):
            self.seen.append(event)

    def wait_for(self, count: int, timeout: float = 10) -> list[Event]:
        deadline = time.monotonic() + timeout
        while len(self.seen) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.seen

    def stop(self) -> None:
        self.stopped = True
        self.thread.join(timeout=10)


def test_a_badge_laid_on_the_reader_is_read_once_by_its_uid_and_again_when_laid_again(pcscd):
    badge = Badge(pcscd, "04A1B2C3D4E5F6")
    listening = Listening()
    try:
        time.sleep(0.3)
        badge.lay()
        assert listening.wait_for(1) == [Event("badge", uid="04A1B2C3D4E5F6")]
        time.sleep(1.2)  # left lying there: no second read
        assert len(listening.seen) == 1
        badge.lift()
        time.sleep(0.5)
        badge.lay()
        assert listening.wait_for(2)[1] == Event("badge", uid="04A1B2C3D4E5F6")
        assert badge.commands[0] == bytes.fromhex("FFCA000000"), "the PC/SC Get Data command for the UID"
    finally:
        badge.lift()
        listening.stop()


def test_a_card_that_gives_no_uid_is_unreadable_not_a_badge(pcscd):
    badge = Badge(pcscd, "")  # answers Get Data with 90 00 and nothing before it
    listening = Listening()
    try:
        time.sleep(0.3)
        badge.lay()
        assert listening.wait_for(1)[0].kind == "unreadable"
    finally:
        badge.lift()
        listening.stop()


def test_a_reader_gone_and_back_is_said_both_times(pcscd):
    listening = Listening()
    try:
        time.sleep(0.3)
        pcscd.stop()
        assert listening.wait_for(1)[0].kind == "reader-missing"
        pcscd.start()
        assert listening.wait_for(2, timeout=15)[1].kind == "reader-back"
    finally:
        listening.stop()
        if pcscd.process is None:
            pcscd.start()


class Dock:
    """``bodycam station dock`` running against the reader, reaching its cameras over the test sshd."""

    def __init__(self, pcscd: Pcscd, store: Store, sshd, device: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "office.cli", "station", "dock", "--store", str(store.root), "--reader", READER,
             "--identity", str(sshd.identity), "--data-dir", str(device), "--remote-bodycam", BODYCAM],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            env=dict(os.environ, PCSCLITE_CSOCK_NAME=str(pcscd.socket)))
        assert "waiting for badges" in self.said()

    def said(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def stop(self) -> int:
        self.process.terminate()
        return self.process.wait(timeout=10)


def offloaded(store: Store, sshd, device: Path) -> None:
    assert main(offload_args(store, sshd, device)) == 0


def latest(store: Store):
    from station.models import Recording

    return store.db.query(Recording).order_by("-started_utc").first()


def test_a_badge_hands_out_a_camera_that_records_for_its_wearer_and_takes_it_back(pcscd, sshd, device, tmp_path):
    """The shift end to end: badge → check-out → the camera told over SSH → it records → offload → the
    recording names its wearer, confirmed by the camera's signed log; badge → check-in → the camera told
    nobody → a recording then is unassigned, and the camera agrees; a camera told someone else disagrees."""
    from station.attribution import AGREES, ASSIGNED, DISAGREES, UNASSIGNED, wearer
    from station.models import Assignment, Device, Officer

    store = Store.init(tmp_path / "store")
    enrolled(store, device, sshd)
    store.db.query(Device).update(pool=True)
    offloaded(store, sshd, device)  # the camera comes in empty and charged
    imported(store, tmp_path, LIST)
    anna = store.db.query(Officer).get(personnel_number="4711")
    store.db.close()
    dock, badge = Dock(pcscd, store, sshd, device), Badge(pcscd, "04A1B2C3D4E5F6")
    try:
        time.sleep(0.5)
        badge.lay()
        assert dock.said() == "Ausgegeben: cam-001 an Anna Schmidt.", "and the camera was told: no warning"
        badge.lift()
        assert json.loads(current_path(device).read_text())["assignment"]["officer"] == anna.pseudonym
        assert "Anna" not in current_path(device).read_text(), "a pseudonym, never the name"
        record(device, SHORT, short_config(), epoch=datetime.now(UTC))
        offloaded(store, sshd, device)
        worn = wearer(store, latest(store))
        assert (worn.officer, worn.state, worn.camera) == (anna, ASSIGNED, AGREES)

        time.sleep(10.5)  # the same tap within 10 s would be a double read
        badge.lay()
        assert dock.said().startswith("Zurückgenommen: cam-001 von Anna Schmidt.")
        badge.lift()
    finally:
        badge.lift()
        assert dock.stop() == 0
    assert json.loads(current_path(device).read_text())["assignment"]["officer"] is None
    (shift,) = store.db.query(Assignment).all()
    assert shift.officer == anna and shift.ended_at is not None
    told = [e.action for e in store.db.query(CustodyEntry).filter(action__startswith="camera-")]
    assert told == ["camera-told", "camera-told"]

    record(device, SHORT, short_config(), epoch=datetime.now(UTC) + timedelta(seconds=1))  # forgotten in a bag
    offloaded(store, sshd, device)
    worn = wearer(store, latest(store))
    assert (worn.officer, worn.state, worn.camera) == (None, UNASSIGNED, AGREES)

    ben = store.db.query(Officer).get(personnel_number="4712")
    stray = sign_assignment(ben.pseudonym, now().isoformat(), store.db.query(Device).get().key_id,
                            store.station_key(), now().isoformat())  # say, from a second station's record
    subprocess.run([BODYCAM, "assignment-session", "--data-dir", str(device)], input=json.dumps(stray) + "\n",
                   check=True, capture_output=True, text=True)
    record(device, SHORT, short_config(), epoch=datetime.now(UTC) + timedelta(seconds=2))
    offloaded(store, sshd, device)
    worn = wearer(store, latest(store))
    assert (worn.state, worn.camera, worn.camera_named) == (UNASSIGNED, DISAGREES, ben)
    assert worn.camera_german() == "Abweichung: das Protokoll der Kamera nennt Ben Yilmaz (Personalnummer 4712)"


def test_a_camera_out_of_reach_is_still_checked_out_and_the_dock_says_it_was_not_told(tmp_path):
    """The station's record is the authority: a camera that cannot be reached does not stop the shift."""
    from station.camera_assignment import Reach
    from station.dock import Rules, handle
    from station.models import Device

    store = Store.init(tmp_path / "store")
    device = enrol(store, "cam-001", "127.0.0.1", free_port(), "nobody", _device_pub(),
                   "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB6F0dfxP5rW0CqQ8dOq8mZ9H8Y1bcZ2wXy4bJmQwVvA")
    store.db.query(Device).update(pool=True)
    docked(store, device, battery=95, at=datetime.now(UTC) - timedelta(hours=1))
    imported(store, tmp_path, LIST, at=datetime.now(UTC) - timedelta(hours=1))
    said = handle(store, Event("badge", "04A1B2C3D4E5F6", ""), Rules(), datetime.now(UTC), Reach(connect_timeout_s=5))
    assert said.startswith("Ausgegeben: cam-001 an Anna Schmidt. Die Kamera konnte nicht informiert werden (")
    assert "connection refused" in said and said.endswith("zeigt die fehlende Angabe der Kamera.")
    (line,) = store.db.query(CustodyEntry).filter(action="camera-not-told")
    assert line.subject == "cam-001" and line.details["officer"] == "4711" and "refused" in line.details["why"]
