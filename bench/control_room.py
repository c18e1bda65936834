"""RECORD press to start tone with the control room's publishing on and its broker unreachable (it takes
the connection and never answers), against the same with publishing off, in paired rounds of the live
simulator: the publisher must stay out of the camera's way."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bench.audio import press_to_tone_ms
from bench.table import Paired, Row, paired_rounds
from station.mqtt_pki import certificate_authority, issue
from tests.mosquitto import SilentBroker

ROUNDS = 3
PRESSES = 3


def run() -> list[Row]:
    silent = SilentBroker()

    def publishing(data_dir: Path) -> dict[str, dict[str, object]]:
        keys, station = data_dir / "keys", data_dir / "station"
        for folder in (keys, station):
            folder.mkdir(parents=True, exist_ok=True)
        at = datetime.now(UTC)
        issued = issue(certificate_authority(station, at), "cam-bench", at)
        (keys / "mqtt.pem").write_bytes(issued.cert_pem)
        (keys / "mqtt.key").write_bytes(issued.key_pem)
        (keys / "mqtt-ca.pem").write_bytes((station / "mqtt-ca.pem").read_bytes())
        return {"control_room": {"enabled": True, "host": "127.0.0.1", "port": silent.port}}

    try:
        rounds = paired_rounds(lambda: press_to_tone_ms(PRESSES, publishing)[1] / 1000,
                               lambda: press_to_tone_ms(PRESSES)[1] / 1000, ROUNDS)
    finally:
        silent.close()
    alert = press_to_alert()
    return [Row.paired("RECORD press to start tone, publishing to a broker that never answers (simulator, real time)",
                       "ms", Paired([s * 1000 for s in rounds.ours], [s * 1000 for s in rounds.baseline]),
                       "publishing off"),
            Row.paired("RECORD held (imminent danger) to the alert in the control room page's state (loopback)", "ms",
                       alert, "to the start tone, same press")]


ALERT_ROUNDS = 5


def press_to_alert() -> Paired:
    """RECORD held in ``worn`` (imminent danger) until the control room's page state shows the alert, and
    until the start tone, from the same press: the camera's publisher, mosquitto with the station's
    files, the station's reader and the page's state request, all on this machine. The page itself asks
    every 0.5 s; this bench asks every 10 ms, so a dispatcher sees it up to 0.5 s later."""
    import tempfile
    import threading
    import time

    from station.database import setup_django

    setup_django()
    from django.test import Client

    from firmware.config import Config, override
    from sim.live import LiveSim
    from station.control_room import listen
    from station.models import ControlRoomMessage
    from station.mqtt_broker import broker_files, camera_certificate
    from station.registry import enrol
    from station.store import Store
    from station.web.app import serve_store
    from station.web.users import add_user
    from storage.keys import ensure_sim_keys
    from tests.mosquitto import Broker, free_port, run_as
    from tests.web import PASSWORD, host_key, test_environment

    test_environment()
    alerts, tones = [], []
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        store = Store.init(root / "store")
        serve_store(store)
        add_user(store, "leitstelle", ["control-room"], PASSWORD)
        camera = root / "camera"
        ensure_sim_keys(camera / "keys")
        device = enrol(store, "cam-bench", "127.0.0.1", 22, "bodycam", (camera / "keys" / "device.pub").read_text(),
                       host_key())
        at, port = datetime.now(UTC), free_port()
        broker = Broker(broker_files(store, root / "broker", "127.0.0.1", port, at, user=run_as()), port)
        issued = camera_certificate(store, device, at, "bench")
        (camera / "keys" / "mqtt.pem").write_bytes(issued.cert_pem)
        (camera / "keys" / "mqtt.key").write_bytes(issued.key_pem)
        (camera / "keys" / "mqtt-ca.pem").write_bytes((root / "broker" / "ca.pem").read_bytes())
        stopping, reading = threading.Event(), threading.Event()
        reader = threading.Thread(target=listen, args=(store, "127.0.0.1", port, stopping.is_set, print,
                                                       reading.set), daemon=True)
        reader.start()
        reading.wait(timeout=30)
        page = Client()
        page.post("/login/", {"username": "leitstelle", "password": PASSWORD})
        sim = LiveSim(override(Config(), storage={"data_dir": str(camera)},
                               audio={"announce_recording_start": False, "announce_recording_stop": False,
                                      "announce_display": False},
                               control_room={"enabled": True, "host": "127.0.0.1", "port": port}))
        sim.start()
        controls = sim.controls
        try:
            time.sleep(1.0)  # the publisher has connected
            for _ in range(ALERT_ROUNDS):
                heard = len(controls.audio.played)
                pressed = time.monotonic()
                controls.set_button("record", True)
                tone = None
                while time.monotonic() - pressed < 10:
                    if tone is None and len(controls.audio.played) > heard:
                        tone = controls.audio.played[heard].t - pressed
                    if page.get("/control-room/state/").json()["alerts"]:
                        alerts.append(time.monotonic() - pressed)
                        break
                    time.sleep(0.01)
                while tone is None and len(controls.audio.played) == heard:
                    time.sleep(0.001)
                tones.append(tone if tone is not None else controls.audio.played[heard].t - pressed)
                controls.set_button("record", False)
                ControlRoomMessage.objects.update(acknowledged_at=datetime.now(UTC))
                time.sleep(0.5)
                controls.set_button("record", True)  # the stop hold, then back to worn
                time.sleep(3.5)
                controls.set_button("record", False)
                time.sleep(0.5)
                controls.set_button("display", True)
                time.sleep(0.1)
                controls.set_button("display", False)
                time.sleep(1.0)
        finally:
            sim.stop()
            stopping.set()
            reader.join(timeout=10)
            broker.stop()
            store.db.close()
    return Paired([s * 1000 for s in alerts], [s * 1000 for s in tones])
