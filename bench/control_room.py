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
    return [Row.paired("RECORD press to start tone, publishing to a broker that never answers (simulator, real time)",
                       "ms", Paired([s * 1000 for s in rounds.ours], [s * 1000 for s in rounds.baseline]),
                       "publishing off")]
