"""The dock's badge reader for real: Debian's pcscd with the vsmartcard virtual reader, a badge of our
own speaking vpcd's protocol, pyscard reading its UID; then ``bodycam station dock`` checking a pool
camera out and in by badge, and saying when the reader is gone."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from station.badge_reader import Event, events
from tests.badges import READER, Badge, Pcscd, client_environment
from tests.test_station_officers import LIST, docked, imported
from tests.test_station_retention import store  # noqa: F401 - the fixture

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


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the command opens the store's own database
def test_the_dock_command_checks_a_camera_out_and_in_by_badge(pcscd, store, tmp_path):  # noqa: F811
    from station.models import Assignment, Device

    store, _ = store
    imported(store, tmp_path, LIST)
    docked(store, store.db.query(Device).get(), battery=90, at=datetime.now(UTC) - timedelta(hours=1))
    store.db.close()
    dock = subprocess.Popen([sys.executable, "-m", "office.cli", "station", "dock", "--store", str(store.root),
                             "--reader", READER], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True, env=dict(os.environ, PCSCLITE_CSOCK_NAME=str(pcscd.socket)))
    badge = Badge(pcscd, "04A1B2C3D4E5F6")
    try:
        assert dock.stdout is not None
        assert "waiting for badges" in dock.stdout.readline()
        time.sleep(0.5)
        badge.lay()
        assert dock.stdout.readline().strip() == "Ausgegeben: cam-001 an Anna Schmidt."
        badge.lift()
        time.sleep(10.5)  # the same tap within 10 s would be a double read
        badge.lay()
        assert dock.stdout.readline().startswith("Zurückgenommen: cam-001 von Anna Schmidt.")
    finally:
        badge.lift()
        dock.terminate()
        dock.wait(timeout=10)
    assert dock.returncode == 0
    (shift,) = store.db.query(Assignment).all()
    assert shift.officer.personnel_number == "4711" and shift.ended_at is not None
