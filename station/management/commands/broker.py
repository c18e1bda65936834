"""``bodycam station broker``: the control room's MQTT broker files, written again after each certificate
issued or revoked and each camera marked lost or retired (station.mqtt_broker)."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand
from station.mqtt_broker import broker_files
from station.store import now


class Command(StationCommand):
    help = HELP["broker"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.broker(parser)

    def run(self, args: argparse.Namespace) -> int:
        if not 1 <= args.port <= 65535:
            self.stderr.write(f"bodycam: --port {args.port}: give a TCP port, 1 to 65535")
            return 2
        config = broker_files(self.store(args), args.out, args.host, args.port, now(), args.user)
        self.stdout.write(f"broker files written; run: mosquitto -c {config}")
        return 0
