"""Status and alerts for the control room over MQTT (opt-in, ``[control_room]``): when a recording
starts, and why, the control room can send help. Never video, sound or pictures: the camera, the
message's kind and time, the wearer's pseudonym when assigned, the battery.

Never in the camera's way: the firmware's log hands each record to ``sink``, which only puts it on a
queue; one thread of its own keeps the messages on the card (firmware.outbox) and sends them, oldest
first, with QoS 1 whenever the broker is reachable, with the time they happened. The broker announces
the camera offline (its last will) when the connection drops. A missing network, a dead broker or a
full card never reach the event loop.

Topics: ``bodycam/<camera>/event`` (each message), ``bodycam/<camera>/online`` (retained). The camera's
name is its certificate's common name, which the broker's ACL allows to write there
(station.mqtt_broker). A message has room for a position once the camera has a GNSS receiver
(``position``, null today).
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from firmware.log import Record
from firmware.outbox import Outbox
from storage.status_messages import ALERT_KINDS, event_topic, online_topic

RECORDS = {Record.START: "online", Record.TRANSITION: "stage", Record.RECORDING_STARTED: "recording-started",
           Record.MARKER: "marker", Record.RECORDING: "recording-stopped", Record.STORAGE_ERROR: "storage-error",
           Record.HARDWARE_FAULT: "hardware-fault", Record.STOPPED: "stopping"}
"""The firmware's log records the control room hears of, by the message's kind (storage.status_messages)."""
AUDITS = {"storage-full": "storage-full", "battery-critical": "battery-critical", "camera-fault": "camera-fault",
          "battery-warning": "battery-low"}
"""The state machine's audit lines the control room hears of (``Audit`` actions, states.machine)."""
FIELDS = {"recording-started": ("reason",), "stage": ("from", "to", "reason"), "recording-stopped": ("stop_reason",),
          "hardware-fault": ("part",)}
"""What of a record goes to the control room: nothing that names a file or says what was recorded."""
RETRY_S = 1.0
RECONNECT_MAX_S = 60.0
"""The longest wait between two tries to reach the broker (they double from 1 s): a camera out of network
for an hour tries once a minute."""
WITH_WILL = 4
"""MQTT 5's reason code "disconnect with will message"."""
FLUSH_S = 2.0
"""At a stop, how long what is still on the card may be sent while the broker is reachable; the rest
goes at the next start."""


@dataclass(frozen=True)
class Broker:
    host: str
    port: int
    ca: Path
    certificate: Path
    key: Path


def camera_name(certificate: Path) -> str:
    """The certificate's common name: the name the station gave the camera, and its topic."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    cert = x509.load_pem_x509_certificate(certificate.read_bytes())
    return str(cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)


class ControlRoom:
    """``sink`` for the firmware's log; ``start`` and ``stop`` with the firmware."""

    def __init__(self, broker: Broker, outbox_path: Path, limit: int, utc_now: Callable[[], datetime],
                 wearer: Callable[[], str | None], on_problem: Callable[[str], None],
                 reconnect_max_s: float = RECONNECT_MAX_S) -> None:
        self._broker, self._reconnect_max_s = broker, reconnect_max_s
        self._outbox_path, self._limit = outbox_path, limit
        self._utc_now, self._wearer, self._on_problem = utc_now, wearer, on_problem
        self._camera = camera_name(broker.certificate)
        self._incoming: queue.SimpleQueue[tuple[str, str, bool] | None] = queue.SimpleQueue()
        self._battery: float | None = None
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="control-room", daemon=True)

    def sink(self, kind: Record, record: dict[str, object]) -> None:
        """Called by the log under its lock, on any thread: builds the message and queues it, nothing more."""
        if kind is Record.BATTERY and isinstance(record.get("percent"), int | float):
            self._battery = float(record["percent"])  # type: ignore[arg-type]
            return
        name = AUDITS.get(str(record.get("kind"))) if kind is Record.AUDIT else RECORDS.get(kind)
        if name is None:
            return
        message: dict[str, object] = {"camera": self._camera, "type": name,
                                      "utc": self._utc_now().isoformat(timespec="milliseconds"),
                                      "wearer": self._wearer(), "battery": self._battery, "position": None}
        message.update({field: record.get(field) for field in FIELDS.get(name, ())})
        self._incoming.put((event_topic(self._camera), json.dumps(message, ensure_ascii=False),
                            name in ALERT_KINDS))

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._incoming.put(None)
        self._thread.join(timeout=FLUSH_S + 5 * RETRY_S + 5)

    def _run(self) -> None:
        try:
            import paho.mqtt.client as mqtt
            from paho.mqtt.packettypes import PacketTypes
            from paho.mqtt.reasoncodes import ReasonCode
        except ImportError:
            self._on_problem("paho-mqtt is not installed: no messages to the control room (pip install paho-mqtt)")
            return
        outbox = Outbox(self._outbox_path, self._limit)
        connected = threading.Event()
        online = online_topic(self._camera)
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self._camera, protocol=mqtt.MQTTv5)
        client.tls_set(ca_certs=str(self._broker.ca), certfile=str(self._broker.certificate),
                       keyfile=str(self._broker.key))
        client.will_set(online, json.dumps({"camera": self._camera, "online": False}), qos=1, retain=True)
        client.reconnect_delay_set(1, int(self._reconnect_max_s))

        def on_connect(c: object, userdata: object, flags: object, reason: object, properties: object) -> None:
            if not getattr(reason, "is_failure", True):
                client.publish(online, json.dumps({"camera": self._camera, "online": True}), qos=1, retain=True)
                connected.set()

        client.on_connect = on_connect
        client.on_disconnect = lambda *args: connected.clear()
        client.connect_async(self._broker.host, self._broker.port, keepalive=30)
        client.loop_start()
        try:
            self._send(client, outbox, connected)
        finally:
            # the broker publishes the will (offline) at a stop as at a lost connection: one message for both
            client.disconnect(reasoncode=ReasonCode(PacketTypes.DISCONNECT, identifier=WITH_WILL))
            client.loop_stop()
            outbox.close()

    def _send(self, client: object, outbox: Outbox, connected: threading.Event) -> None:
        """Keep what arrives; send the oldest while connected; a message leaves the card on its PUBACK.
        Once stopping, send for at most ``FLUSH_S`` more."""
        flush_until: float | None = None
        # the message on its way and paho's handle of it: paho sends it again after a reconnect itself, so
        # it is never published twice (the control room would see the alert twice)
        in_flight: tuple[int, Any] | None = None
        while True:
            self._keep(outbox, block=False)
            if self._stopping.is_set():
                flush_until = flush_until or time.monotonic() + FLUSH_S
                if not connected.is_set() or time.monotonic() > flush_until:
                    return
            waiting = outbox.oldest() if connected.is_set() else None
            if waiting is None:
                if self._stopping.is_set():
                    return
                self._keep(outbox, block=True)
                continue
            if in_flight is None or in_flight[0] != waiting.id:
                in_flight = (waiting.id, client.publish(waiting.topic, waiting.payload, qos=1))  # type: ignore[attr-defined]
            try:
                in_flight[1].wait_for_publish(timeout=RETRY_S * 5)
            except (RuntimeError, ValueError):  # not sent (no connection, paho's queue full): again later
                in_flight = None
                self._stopping.wait(RETRY_S)
                continue
            if in_flight[1].is_published():
                outbox.remove(waiting)
                in_flight = None

    def _keep(self, outbox: Outbox, block: bool) -> None:
        try:
            item = self._incoming.get(timeout=RETRY_S) if block else self._incoming.get_nowait()
        except queue.Empty:
            return
        while item is not None:
            if outbox.put(*item):
                self._on_problem("the card's queue for the control room was full: the oldest status message "
                                 "was dropped")
            try:
                item = self._incoming.get_nowait()
            except queue.Empty:
                return
