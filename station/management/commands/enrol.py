"""``bodycam station enrol``: a camera's device key and pinned SSH host key in the registry."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand
from station.registry import enrol


class Command(StationCommand):
    help = HELP["enrol"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.enrol(parser)

    def run(self, args: argparse.Namespace) -> int:
        host_key = args.host_key_file.read_text() if args.host_key_file else args.host_key
        device = enrol(self.store(args), args.name, args.host, args.port, args.user, args.device_pub.read_text(),
                       host_key or "", args.firmware_version)
        self.stdout.write(f"enrolled {device.name}: device key {device.key_id}, "
                          f"{device.ssh_user}@{device.host}:{device.port}")
        return 0
