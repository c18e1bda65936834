"""``bodycam station mark-lost|mark-retired|mark-active``: a camera's status, with the reason (a custody line)."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand
from station.registry import set_status


class Command(StationCommand):
    help = HELP["mark"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.mark(parser)

    def run(self, args: argparse.Namespace) -> int:
        device = set_status(self.store(args), args.device, args.status, args.reason)
        self.stdout.write(f"{device.name} ({device.key_id}) is now {device.status}")
        return 0
