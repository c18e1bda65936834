"""Debian's mosquitto on 127.0.0.1 with the station's broker files, and paho clients with certificates,
for the control-room tests."""

from __future__ import annotations

import getpass
import queue
import socket
import subprocess
import threading
import time
from pathlib import Path

import paho.mqtt.client as mqtt

from station.mqtt_pki import Issued
from tests.sshd import free_port

MOSQUITTO = "/usr/sbin/mosquitto"


class Broker:
    """``mosquitto -c`` the files the station wrote; ``restart`` after writing them again."""

    def __init__(self, config: Path, port: int) -> None:
        self.config, self.port = config, port
        self.process: subprocess.Popen[str] | None = None
        self.start()

    def start(self) -> None:
        self.process = subprocess.Popen([MOSQUITTO, "-c", str(self.config)], stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            if self.process.poll() is not None:
                raise RuntimeError(f"mosquitto ended: {self.process.stderr.read() if self.process.stderr else ''}")
            time.sleep(0.05)
        raise RuntimeError("mosquitto did not listen within 10 s")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()


class Relay:
    """The camera's network to the broker: nothing listens on ``port`` until ``open``, then every
    connection is passed through to the broker (a hotspot coming into reach)."""

    def __init__(self, broker_port: int) -> None:
        self.port, self._broker_port = free_port(), broker_port
        self._server: socket.socket | None = None

    def open(self) -> None:
        self._server = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._server,), daemon=True).start()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                inside, _ = server.accept()
            except OSError:
                return
            outside = socket.create_connection(("127.0.0.1", self._broker_port))
            for source, target in ((inside, outside), (outside, inside)):
                threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                end.close()


class SilentBroker:
    """A broker that takes the connection and never answers (a captive portal, a half-dead hotspot)."""

    def __init__(self) -> None:
        self.port = free_port()
        self._server = socket.create_server(("127.0.0.1", self.port))
        self.held: list[socket.socket] = []
        threading.Thread(target=self._hold, daemon=True).start()

    def _hold(self) -> None:
        while True:
            try:
                self.held.append(self._server.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self._server.close()
        for connection in self.held:
            connection.close()


def run_as() -> str:
    """The broker's user: the test's own (mosquitto started as root would otherwise become ``mosquitto``)."""
    return getpass.getuser()


def client(folder: Path, name: str, issued: Issued, ca: Path, port: int) -> tuple[mqtt.Client, queue.Queue]:
    """A connected MQTT 5 client with ``issued``'s certificate; its received messages arrive in the queue.
    Raises what TLS or the broker says when it is refused."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.pem").write_bytes(issued.cert_pem)
    (folder / f"{name}.key").write_bytes(issued.key_pem)
    received: queue.Queue[mqtt.MQTTMessage] = queue.Queue()
    connected: queue.Queue[object] = queue.Queue()
    paho = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=f"test-{name}", protocol=mqtt.MQTTv5)
    paho.tls_set(ca_certs=str(ca), certfile=str(folder / f"{name}.pem"), keyfile=str(folder / f"{name}.key"))
    paho.on_message = lambda c, userdata, message: received.put(message)
    paho.on_connect = lambda c, userdata, flags, reason, properties: connected.put(reason)
    paho.connect("127.0.0.1", port, keepalive=30)
    paho.loop_start()
    try:
        reason = connected.get(timeout=5)
    except queue.Empty:
        reason = "no CONNACK: the broker ended the TLS session"
    if not hasattr(reason, "is_failure") or reason.is_failure:
        paho.loop_stop()
        raise ConnectionRefusedError(str(reason))
    return paho, received


__all__ = ["Broker", "Relay", "SilentBroker", "client", "free_port", "run_as"]
