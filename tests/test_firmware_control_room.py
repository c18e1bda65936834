"""The camera's messages to the control room: kept on the card in a bounded queue (status before
alerts makes room), sent in order with their own times once the broker is reachable, and the real
firmware (simulated hardware) publishing when a recording starts, with the wearer's pseudonym, through
Debian's mosquitto configured by the station."""

from __future__ import annotations

import json
import queue
from datetime import UTC, datetime, timedelta

import pytest

from firmware.config import ConfigError, override, parse
from firmware.control_room import Broker as BrokerAddress
from firmware.control_room import ControlRoom
from firmware.log import Record
from firmware.outbox import Outbox
from station.mqtt_broker import broker_files, camera_certificate, reader_certificate
from station.store import Store
from tests.assignments import told
from tests.mosquitto import Broker, Relay, SilentBroker, client, free_port, run_as
from tests.recordings import SHORT, record, short_config
from tests.test_station_mqtt import _camera

ANNA = "0123456789abcdef"


def test_a_full_queue_drops_the_oldest_status_before_any_alert_and_keeps_the_order(tmp_path):
    outbox = Outbox(tmp_path / "q.sqlite", limit=3)
    assert [outbox.put("t", name, alert) for name, alert in
            (("status-1", False), ("alert-1", True), ("status-2", False))] == [0, 0, 0]
    assert outbox.put("t", "alert-2", True) == 1, "status-1 made room"
    assert outbox.put("t", "alert-3", True) == 1, "then status-2"
    assert outbox.put("t", "alert-4", True) == 1, "only alerts left: the oldest of them"
    outbox.close()
    again = Outbox(tmp_path / "q.sqlite", limit=3)  # a restart: still there
    seen = []
    while (waiting := again.oldest()) is not None:
        seen.append(waiting.payload)
        again.remove(waiting)
    assert seen == ["alert-2", "alert-3", "alert-4"]


def test_every_kind_the_camera_sends_is_one_the_station_knows():
    from firmware.control_room import AUDITS, RECORDS
    from storage.status_messages import KINDS

    assert set(RECORDS.values()) | set(AUDITS.values()) == KINDS


def test_publishing_without_a_broker_address_is_a_config_error_naming_the_key():
    with pytest.raises(ConfigError, match=r"control_room\.enabled needs control_room\.host"):
        parse("[control_room]\nenabled = true\n")


@pytest.fixture
def control_room(tmp_path):
    """The station's broker (persistent), a camera's certificate in its data dir, and the control room's
    reader with a session the broker keeps while it is away."""
    store = Store.init(tmp_path / "store")
    device = _camera(store, "cam-07")
    at, port = datetime.now(UTC), free_port()
    config = broker_files(store, tmp_path / "broker", "127.0.0.1", port, at, user=run_as())
    camera = tmp_path / "camera"
    keys = camera / "keys"
    keys.mkdir(parents=True)
    issued = camera_certificate(store, device, at, "admin")
    (keys / "mqtt.pem").write_bytes(issued.cert_pem)
    (keys / "mqtt.key").write_bytes(issued.key_pem)
    (keys / "mqtt-ca.pem").write_bytes((tmp_path / "broker" / "ca.pem").read_bytes())
    yield store, config, port, camera, reader_certificate(store, at)


def _events(heard: queue.Queue, count: int) -> list[dict[str, object]]:
    messages: list[dict[str, object]] = []
    while len(messages) < count:
        message = heard.get(timeout=15)
        if message.topic.endswith("/event"):
            messages.append(json.loads(message.payload))
    return messages


def test_alerts_raised_while_the_broker_is_out_of_reach_arrive_afterwards_in_order_with_their_own_times(
        control_room, tmp_path):
    _, config, port, camera, reader_cert = control_room
    broker = Broker(config, port)
    reader, heard = client(tmp_path / "clients", "leitstelle", reader_cert, tmp_path / "broker" / "ca.pem", port)
    reader.subscribe("bodycam/#", qos=1)
    network = Relay(port)  # out of reach until opened
    moments = iter(datetime(2026, 12, 6, 9, 0, tzinfo=UTC) + timedelta(seconds=s) for s in range(100))
    problems: list[str] = []
    room = ControlRoom(BrokerAddress("127.0.0.1", network.port, camera / "keys/mqtt-ca.pem",
                                     camera / "keys/mqtt.pem", camera / "keys/mqtt.key"),
                       camera / "control-room.sqlite", 100, lambda: next(moments), lambda: ANNA, problems.append,
                       reconnect_max_s=2)  # the network's return is found within 2 s, however slow the machine
    room.start()
    try:
        room.sink(Record.BATTERY, {"percent": 61.5})
        room.sink(Record.RECORDING_STARTED, {"recording": "20261206T090000Z-0000abcd", "reason": "imminent-danger"})
        room.sink(Record.MARKER, {"at": 12.0})
        room.sink(Record.TRANSITION, {"from": "recording", "to": "display", "reason": "hold"})
        room.sink(Record.SOUND, {"label": "start"})  # not for the control room
        room.sink(Record.AUDIT, {"kind": "record-hint", "held_s": 0.4})  # nor this
        room.sink(Record.BATTERY, {"percent": 14.0})
        room.sink(Record.AUDIT, {"kind": "battery-warning", "percent": 14.0})
        room.sink(Record.AUDIT, {"kind": "storage-full", "free_bytes": 1024})
        with pytest.raises(queue.Empty):
            heard.get(timeout=1.5)
        network.open()
        events = _events(heard, 5)
    finally:
        room.stop()
        network.close()
        broker.stop()
    assert [(e["type"], e["utc"]) for e in events] == [("recording-started", "2026-12-06T09:00:00.000+00:00"),
                                                       ("marker", "2026-12-06T09:00:01.000+00:00"),
                                                       ("stage", "2026-12-06T09:00:02.000+00:00"),
                                                       ("battery-low", "2026-12-06T09:00:03.000+00:00"),
                                                       ("storage-full", "2026-12-06T09:00:04.000+00:00")]
    assert events[3]["battery"] == 14.0
    assert events[0] == {"camera": "cam-07", "type": "recording-started", "utc": "2026-12-06T09:00:00.000+00:00",
                         "wearer": ANNA, "battery": 61.5, "position": None, "reason": "imminent-danger"}
    assert problems == []


def test_the_firmware_tells_the_control_room_when_a_recording_starts_and_who_wears_the_camera(control_room, tmp_path):
    _, config, port, camera, reader_cert = control_room
    broker = Broker(config, port)
    try:
        reader, heard = client(tmp_path / "clients", "leitstelle", reader_cert, tmp_path / "broker" / "ca.pem", port)
        reader.subscribe("bodycam/#", qos=1)
        told(camera, ANNA)
        record(camera, SHORT, override(short_config(), control_room={"enabled": True, "host": "127.0.0.1",
                                                                     "port": port}))
        events = _events(heard, 4)
        presence = []
        while not presence or presence[-1]["online"]:
            message = heard.get(timeout=15)
            if message.topic.endswith("/online"):
                presence.append(json.loads(message.payload))
    finally:
        broker.stop()
    started = next(e for e in events if e["type"] == "recording-started")
    assert started["reason"] == "announced" and started["wearer"] == ANNA and started["camera"] == "cam-07"
    assert [e["type"] for e in events][:2] == ["online", "stage"]
    assert presence[-1] == {"camera": "cam-07", "online": False}, "a camera switched off is offline at once"


CAMERA_PROCESS = """
import sys, threading
from datetime import UTC, datetime
from pathlib import Path
from firmware.control_room import Broker, ControlRoom
keys = Path(sys.argv[1])
room = ControlRoom(Broker("127.0.0.1", int(sys.argv[2]), keys / "mqtt-ca.pem", keys / "mqtt.pem", keys / "mqtt.key"),
                   keys.parent / "control-room.sqlite", 100, lambda: datetime.now(UTC), lambda: None, print)
room.start()
threading.Event().wait()
"""


def test_the_broker_marks_a_camera_offline_when_its_connection_drops(control_room, tmp_path):
    import subprocess
    import sys

    _, config, port, camera, reader_cert = control_room
    broker = Broker(config, port)
    camera_process = subprocess.Popen([sys.executable, "-c", CAMERA_PROCESS, str(camera / "keys"), str(port)])
    try:
        reader, heard = client(tmp_path / "clients", "leitstelle", reader_cert, tmp_path / "broker" / "ca.pem", port)
        reader.subscribe("bodycam/cam-07/online", qos=1)
        assert json.loads(heard.get(timeout=15).payload) == {"camera": "cam-07", "online": True}
        camera_process.kill()  # the battery pulled: no goodbye
        assert json.loads(heard.get(timeout=15).payload) == {"camera": "cam-07", "online": False}
    finally:
        camera_process.kill()
        camera_process.wait(timeout=10)
        broker.stop()


def test_a_broker_that_never_answers_does_not_hold_up_the_recording_and_the_messages_wait(control_room):
    import sqlite3

    _, _, _, camera, _ = control_room
    silent = SilentBroker()
    try:
        recording = record(camera, SHORT, override(short_config(), control_room={"enabled": True,
                                                                                 "host": "127.0.0.1",
                                                                                 "port": silent.port}))
        assert silent.held, "the camera did try"
    finally:
        silent.close()
    assert len(list(recording.glob("seg-*.bcs"))) > 0
    waiting = sqlite3.connect(camera / "control-room.sqlite").execute("SELECT payload FROM waiting").fetchall()
    assert "recording-started" in " ".join(p for (p,) in waiting), "kept on the card for the next connection"
