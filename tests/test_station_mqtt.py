"""The control room's broker as the station configures it, for real: Debian's mosquitto on 127.0.0.1,
TLS with the station's own CA, a certificate per camera; a camera publishes under its own topic only,
and a revoked certificate, a lost camera's and a foreign one are refused."""

from __future__ import annotations

import queue
import ssl
import threading
import time
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from station.models import BrokerCertificate, CustodyEntry, Device
from station.mqtt_broker import BrokerError, broker_files, camera_certificate, reader_certificate, revoke
from station.mqtt_pki import certificate_authority, issue
from station.registry import enrol
from station.store import Store
from tests.mosquitto import Broker, client, free_port, run_as
from tests.web import host_key


def _camera(store: Store, name: str) -> Device:
    pub = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return enrol(store, name, "127.0.0.1", 22, "bodycam", pub, host_key())


@pytest.fixture
def station(tmp_path):
    """A store with cam-01 and cam-02, its broker running, and the control room's reader subscribed."""
    store = Store.init(tmp_path / "store")
    cameras = [_camera(store, name) for name in ("cam-01", "cam-02")]
    port, at = free_port(), datetime.now(UTC)
    broker = Broker(broker_files(store, tmp_path / "broker", "127.0.0.1", port, at, user=run_as()), port)
    reader, heard = client(tmp_path / "clients", "leitstelle", reader_certificate(store, at),
                           tmp_path / "broker" / "ca.pem", port)
    reader.subscribe("bodycam/#", qos=1)
    yield store, cameras, broker, heard, tmp_path
    reader.loop_stop()
    reader.disconnect()
    broker.stop()


def _published(paho, topic: str) -> None:
    paho.publish(topic, b'{"event": "recording-started"}', qos=1).wait_for_publish(timeout=10)


def test_a_camera_publishes_under_its_own_topic_only(station):
    store, (cam1, _), broker, heard, tmp_path = station
    camera, _ = client(tmp_path / "clients", "cam-01", camera_certificate(store, cam1, datetime.now(UTC), "admin"),
                       tmp_path / "broker" / "ca.pem", broker.port)
    _published(camera, "bodycam/cam-01/status")
    _published(camera, "bodycam/cam-02/status")  # another camera's: the broker drops it
    _published(camera, "bodycam/cam-01/alert")
    topics = [heard.get(timeout=10).topic for _ in range(2)]
    assert topics == ["bodycam/cam-01/status", "bodycam/cam-01/alert"]
    with pytest.raises(queue.Empty):
        heard.get(timeout=0.5)
    camera.loop_stop()


def test_a_revoked_camera_a_lost_camera_and_a_foreign_certificate_are_refused(station):
    store, (cam1, cam2), broker, _, tmp_path = station
    at = datetime.now(UTC)
    issued = camera_certificate(store, cam1, at, "admin")
    assert revoke(store, cam1, at, "admin") == 1
    store.db.query(Device).filter(pk=cam2.pk).update(status=Device.LOST)
    lost = issue(certificate_authority(store.root / "keys", at), "cam-02", at)  # the CA's, then marked lost
    store.db.query(BrokerCertificate).create(common_name="cam-02", device=cam2, serial=f"{lost.serial:x}",
                                             issued_at=at)
    broker_files(store, tmp_path / "broker", "127.0.0.1", broker.port, at, user=run_as())
    broker.restart()
    ca = tmp_path / "broker" / "ca.pem"
    (tmp_path / "elsewhere").mkdir()
    foreign = issue(certificate_authority(tmp_path / "elsewhere", at), "cam-01", at)
    for name, certificate in (("cam-01", issued), ("cam-02", lost), ("cam-01-foreign", foreign)):
        with pytest.raises((ssl.SSLError, OSError)):
            client(tmp_path / "clients", name, certificate, ca, broker.port)
    fresh, _ = client(tmp_path / "clients", "cam-01-new", camera_certificate(store, cam1, at, "admin"), ca, broker.port)
    fresh.loop_stop()  # a new certificate for the same camera is taken: the broker was up all along
    lines = [e.action for e in store.db.query(CustodyEntry)]
    assert lines.count("broker-certificate-issued") == 2 and lines.count("broker-certificate-revoked") == 1


def test_a_camera_whose_name_cannot_be_a_topic_gets_no_certificate(tmp_path):
    store = Store.init(tmp_path / "store")
    for name in ("cam 01", "cam/01", "cam+", "leitstelle"):
        with pytest.raises(BrokerError, match="rename it"):
            camera_certificate(store, _camera(store, name), datetime.now(UTC), "admin")


def test_the_commands_write_a_broker_a_camera_connects_to_and_say_what_is_wrong(tmp_path, capsys):
    from office.cli import main
    from station.mqtt_pki import Issued

    store = Store.init(tmp_path / "store")
    _camera(store, "cam-01")
    port, where = free_port(), ["--store", str(tmp_path / "store")]
    assert main(["station", "broker", *where, "--out", str(tmp_path / "broker"), "--host", "127.0.0.1",
                 "--port", str(port), "--user", run_as()]) == 0
    assert f"mosquitto -c {tmp_path / 'broker' / 'mosquitto.conf'}" in capsys.readouterr().out
    assert main(["station", "broker-certificate", "cam-01", *where, "--out", str(tmp_path / "cam")]) == 0
    assert ((tmp_path / "cam" / "mqtt.key").stat().st_mode & 0o777) == 0o600
    broker = Broker(tmp_path / "broker" / "mosquitto.conf", port)
    try:
        issued = Issued((tmp_path / "cam" / "mqtt.key").read_bytes(), (tmp_path / "cam" / "mqtt.pem").read_bytes(), 0)
        camera, _ = client(tmp_path / "clients", "cam-01", issued, tmp_path / "cam" / "mqtt-ca.pem", port)
        camera.loop_stop()
    finally:
        broker.stop()
    capsys.readouterr()
    assert main(["station", "broker-certificate", "cam-09", *where, "--out", str(tmp_path / "cam")]) != 0
    assert "no device 'cam-09' in the registry" in capsys.readouterr().err
    assert main(["station", "broker", *where, "--out", str(tmp_path / "b2"), "--host", "h", "--port", "0"]) == 2
    assert "--port 0: give a TCP port" in capsys.readouterr().err
    assert main(["station", "broker-certificate", "cam-01", *where, "--revoke"]) == 0
    assert "1 certificate(s) revoked" in capsys.readouterr().out


EVENT = {"camera": "cam-01", "type": "recording-started", "utc": "2026-12-06T09:00:00.000+00:00",
         "wearer": "0123456789abcdef", "battery": 61.5, "position": None, "reason": "imminent-danger"}


@pytest.mark.parametrize("topic, payload, why", [
    ("bodycam/cam-01/event", {**EVENT, "camera": "cam-02"}, "names another camera"),
    ("bodycam/cam 01/event", EVENT, "not bodycam/<camera>/event"),
    ("bodycam/cam-01/status", EVENT, "not bodycam/<camera>/event"),
    ("bodycam/cam-01/event", {**EVENT, "type": "video-frame"}, "not a message the cameras send"),
    ("bodycam/cam-01/event", {**EVENT, "utc": "soon"}, "not a UTC time"),
    ("bodycam/cam-01/event", {**EVENT, "wearer": "Anna Schmidt"}, "not a pseudonym"),
    ("bodycam/cam-01/event", {**EVENT, "battery": 250}, "not a percentage"),
    ("bodycam/cam-01/event", {**EVENT, "battery": True}, "not a percentage"),
    ("bodycam/cam-01/event", {**EVENT, "reason": "<script>"}, "not a reason"),
    ("bodycam/cam-01/event", {**EVENT, "padding": "x" * 5000}, "at most 4096"),
    ("bodycam/cam-01/online", {"camera": "cam-01", "online": "yes"}, "not true or false"),
    ("bodycam/cam-01/event", "not json", "not JSON"),
])
def test_a_message_from_a_camera_is_refused_naming_what_is_wrong_and_nothing_is_kept(tmp_path, topic, payload, why):
    import json

    from station.control_room import take
    from station.models import ControlRoomMessage

    store = Store.init(tmp_path / "store")
    data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
    assert why in str(take(store, topic, data, datetime.now(UTC)))
    assert not store.db.query(ControlRoomMessage).exists()


def test_the_control_room_keeps_what_the_cameras_publish_and_the_purge_forgets_it(station):
    from datetime import timedelta

    from firmware.control_room import Broker as BrokerAddress
    from firmware.control_room import ControlRoom
    from firmware.log import Record
    from station.control_room import listen, purge_messages
    from station.models import ControlRoomMessage

    store, (cam1, _), broker, _, tmp_path = station
    keys = tmp_path / "cam-01"
    keys.mkdir()
    issued = camera_certificate(store, cam1, datetime.now(UTC), "admin")
    (keys / "mqtt.pem").write_bytes(issued.cert_pem)
    (keys / "mqtt.key").write_bytes(issued.key_pem)
    room = ControlRoom(BrokerAddress("127.0.0.1", broker.port, tmp_path / "broker" / "ca.pem", keys / "mqtt.pem",
                                     keys / "mqtt.key"), keys / "outbox.sqlite", 100, lambda: datetime.now(UTC),
                       lambda: "0123456789abcdef", print)
    reading, said, started, give_up = threading.Event(), [], [], time.monotonic() + 60

    def kept() -> bool:
        """Called between messages: the camera starts once the reader reads, and sends its alert."""
        if reading.is_set() and not started:
            started.append(room)
            room.start()
            room.sink(Record.RECORDING_STARTED, {"recording": "x", "reason": "imminent-danger"})
        assert time.monotonic() < give_up, "nothing arrived within 60 s"
        return store.db.query(ControlRoomMessage).filter(kind="recording-started").exists()

    try:
        assert listen(store, "127.0.0.1", broker.port, kept, said.append, reading.set) == 0
    finally:
        if started:
            room.stop()
    alert = store.db.query(ControlRoomMessage).get(kind="recording-started")
    assert (alert.camera, alert.reason, alert.wearer) == ("cam-01", "imminent-danger", "0123456789abcdef")
    assert said == []
    assert purge_messages(store, timedelta(days=7), datetime.now(UTC)) == 0, "a week is kept"
    count = store.db.query(ControlRoomMessage).count()
    assert purge_messages(store, timedelta(days=7), datetime.now(UTC) + timedelta(days=8)) == count
    assert not store.db.query(ControlRoomMessage).exists()
    line = store.db.query(CustodyEntry).get(action="status-deleted")
    assert line.details["count"] == count
