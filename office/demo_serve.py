"""``bodycam station demo-serve`` (``make station``): the demo store's web application with the control
room's broker (Debian's mosquitto, with the files the demo wrote) and its reader beside it, so the control
room's page shows what ``make sim ARGS="--mqtt station-demo/sim-camera"`` sends. Both end with it; the
demo works without them (a store made before the control room, or no mosquitto), and says so."""

from __future__ import annotations

import argparse
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

from station.cli import job

SIM_CAMERA = "sim-camera"
"""The simulator's broker files in the demo store, as cam-demo-01 (``bodycam sim --mqtt``)."""
MOSQUITTO = "/usr/sbin/mosquitto"
LISTEN_WAIT_S = 5.0


def cmd_demo_serve(args: argparse.Namespace) -> int:
    helpers = _control_room(args.store, args.database)
    try:
        return job("serve")(args)
    finally:
        for helper in reversed(helpers):
            helper.terminate()
            try:
                helper.wait(timeout=10)
            except subprocess.TimeoutExpired:
                helper.kill()


def _control_room(store: Path, database: str | None) -> list[subprocess.Popen[bytes]]:
    """The broker and the reader, or nothing with the reason said."""
    config = store / "broker" / "mosquitto.conf"
    mosquitto = shutil.which("mosquitto") or MOSQUITTO
    if not config.is_file():
        print(f"control room: {config} is missing (a demo store made before the control room): remove "
              f"{store} and run make station again to see it", file=sys.stderr)
        return []
    if not Path(mosquitto).exists():
        print("control room: mosquitto is not installed (apt install mosquitto): its page stays without "
              "cameras", file=sys.stderr)
        return []
    host, port = _listener(config)
    broker = subprocess.Popen([mosquitto, "-c", str(config)], stdin=subprocess.DEVNULL)
    deadline = time.monotonic() + LISTEN_WAIT_S
    while not _listening(host, port):
        if broker.poll() is not None or time.monotonic() > deadline:
            broker.kill()
            broker.wait()
            print(f"control room: mosquitto did not start on {host}:{port} (is the port taken? its words are "
                  "above): the page stays without cameras", file=sys.stderr)
            return []
        time.sleep(0.05)
    reader = subprocess.Popen([sys.executable, "-m", "office", "station", "control-room", "--store", str(store),
                               "--host", host, "--port", str(port), *(["--database", database] if database else [])],
                              stdin=subprocess.DEVNULL)
    print(f"control room: broker on {host}:{port}; log in as leitstelle and run make sim ARGS=\"--mqtt "
          f"{store / SIM_CAMERA}\" beside it", flush=True)
    return [broker, reader]


def _listener(config: Path) -> tuple[str, int]:
    """The address the demo's broker listens on, from its configuration: ``listener PORT HOST``."""
    for line in config.read_text(encoding="utf-8").splitlines():
        if line.startswith("listener "):
            _, port, host = line.split()
            return host, int(port)
    raise ValueError(f"{config}: no listener line")


def _listening(host: str, port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex((host, port)) == 0
