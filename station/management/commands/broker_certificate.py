"""``bodycam station broker-certificate``: a camera's MQTT client certificate (its key never leaves the
folder it is written to but for the camera), or the revocation of all of a camera's certificates."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand
from station.mqtt_broker import camera_files, revoke
from station.registry import find
from station.store import now
from storage.status_messages import CA, CERTIFICATE, KEY


class Command(StationCommand):
    help = HELP["broker-certificate"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.broker_certificate(parser)

    def run(self, args: argparse.Namespace) -> int:
        store = self.store(args)
        device = find(store, args.device)
        if args.revoke:
            count = revoke(store, device, now(), "command")
            self.stdout.write(f"{device.name}: {count} certificate(s) revoked; write the broker's files again "
                              "(bodycam station broker) and restart it")
            return 0
        issued = camera_files(store, device, args.out, now(), "command")
        self.stdout.write(f"{device.name}: certificate {issued.serial:x} written to {args.out} ({CERTIFICATE}, {KEY}, "
                          f"{CA}); install it with bodycam deploy … --control-room {args.out}")
        return 0
