"""The control room's side of the cameras' messages: ``bodycam station control-room`` reads everything
under ``bodycam/`` on the station's broker (as the reader ``leitstelle``) and keeps each message
(``ControlRoomMessage``) for the control room's page and its alerts.

A message is a camera's word and hostile: at most 4 KiB of JSON whose camera is the topic's (the broker's
ACL already keeps a camera to its own topic), of a known kind, with a UTC time, and only the members
the camera sends (firmware.control_room) in their forms; anything else is refused, counted and said,
never stored. The purge deletes messages older than ``BODYCAM_STATUS_RETENTION_DAYS``.
"""

from __future__ import annotations

import json
import queue
import re
from collections.abc import Callable
from datetime import datetime, timedelta

from station.models import ControlRoomMessage
from station.mqtt_broker import NAME, READER, reader_files
from station.store import Store, now
from storage.assignment import PSEUDONYM
from storage.identifiers import parse_utc
from storage.status_messages import KINDS, TOPIC_ROOT, event_topic, online_topic

MAX_BYTES = 4096
TOPIC = re.compile(rf"^{re.escape(TOPIC_ROOT)}/(?P<camera>{NAME})/(?P<channel>event|online)$")
REASON = re.compile(r"^[a-z-]{1,40}$")
STAGES = frozenset({"worn", "display", "recording", "shutdown"})
SESSION_S = 86400
"""How long the broker keeps the reader's subscription and its unread messages while the reader is away."""
ALERT = ("recording-started", "imminent-danger")
"""The message the control room must acknowledge: a recording started without announcement."""


def take(store: Store, topic: str, payload: bytes, at: datetime) -> str | None:
    """Keep one message from the broker; None when kept, else why it was refused (one line)."""
    matched = TOPIC.match(topic)
    if matched is None:
        return f"topic {topic[:80]!r}: not bodycam/<camera>/event or /online"
    if len(payload) > MAX_BYTES:
        return f"{topic}: {len(payload)} bytes (at most {MAX_BYTES})"
    try:
        message = json.loads(payload)
    except ValueError:
        return f"{topic}: not JSON"
    if not isinstance(message, dict) or message.get("camera") != matched["camera"]:
        return f"{topic}: the message names another camera than its topic"
    if matched["channel"] == "online":
        if not isinstance(message.get("online"), bool):
            return f"{topic}: online is not true or false"
        store.db.query(ControlRoomMessage).create(camera=matched["camera"], kind="online" if message["online"]
                                                  else "offline", utc=at, received_at=at)
        return None
    return _event(store, topic, matched["camera"], message, at)


def _event(store: Store, topic: str, camera: str, message: dict[str, object], at: datetime) -> str | None:
    kind, utc, wearer, battery, reason, stage = (message.get(k) for k in ("type", "utc", "wearer", "battery", "reason",
                                                                           "to"))
    if kind not in KINDS:
        return f"{topic}: type {str(kind)[:40]!r} is not a message the cameras send"
    when = parse_utc(utc)
    if when is None:
        return f"{topic}: utc {str(utc)[:40]!r} is not a UTC time"
    if wearer is not None and not (isinstance(wearer, str) and PSEUDONYM.match(wearer)):
        return f"{topic}: wearer {str(wearer)[:40]!r} is not a pseudonym"
    if battery is not None and not (isinstance(battery, int | float) and not isinstance(battery, bool)
                                    and 0 <= battery <= 100):
        return f"{topic}: battery {str(battery)[:40]!r} is not a percentage"
    if reason is not None and not (isinstance(reason, str) and REASON.match(reason)):
        return f"{topic}: reason {str(reason)[:40]!r} is not a reason"
    if kind == "stage" and stage not in STAGES:
        return f"{topic}: to {str(stage)[:40]!r} is not a stage"
    store.db.query(ControlRoomMessage).create(camera=camera, kind=str(kind), utc=when, received_at=at,
                                              wearer=wearer, battery=battery, reason=reason or "",
                                              stage=str(stage) if kind == "stage" else "")
    return None


def purge_messages(store: Store, older_than: timedelta, at: datetime) -> int:
    """Delete the messages received more than ``older_than`` before ``at``; one deletion-log line."""
    count = store.db.query(ControlRoomMessage).filter(received_at__lt=at - older_than).delete()[0]
    if count:
        store.log("status-deleted", "control room", None, reason=f"retention {older_than.days} d", count=count)
    return count


def listen(store: Store, host: str, port: int, stop: Callable[[], bool], say: Callable[[str], None],
           subscribed: Callable[[], None] = lambda: None) -> int:
    """Keep what the broker delivers until ``stop``; returns how many messages were refused. The broker's
    thread only queues; the store is written here, in the caller's thread. The broker keeps the reader's
    session for a day, so what the cameras send while the reader restarts waits for it; ``subscribed``
    is called (from the broker's thread) once it reads."""
    import paho.mqtt.client as mqtt
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    certificate, key = reader_files(store, now())
    arrived: queue.SimpleQueue[tuple[str, bytes]] = queue.SimpleQueue()
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=READER, protocol=mqtt.MQTTv5)
    client.tls_set(ca_certs=str(store.root / "keys" / "mqtt-ca.pem"), certfile=str(certificate), keyfile=str(key))
    client.on_connect = lambda c, userdata, flags, reason, properties: c.subscribe(
        [(event_topic("+"), 1), (online_topic("+"), 1)])
    client.on_subscribe = lambda c, userdata, mid, reasons, properties: subscribed()
    client.on_message = lambda c, userdata, message: arrived.put((message.topic, bytes(message.payload)))
    client.reconnect_delay_set(1, 30)
    session = Properties(PacketTypes.CONNECT)
    session.SessionExpiryInterval = SESSION_S
    client.connect_async(host, port, keepalive=30, clean_start=False, properties=session)
    client.loop_start()
    refused = 0
    try:
        while not stop():
            try:
                topic, payload = arrived.get(timeout=0.2)
            except queue.Empty:
                continue
            why = take(store, topic, payload, now())
            if why is not None:
                refused += 1
                say(f"refused: {why}")
    finally:
        client.disconnect()
        client.loop_stop()
    return refused
