"""``bodycam evidence hold``: keep a recording beyond the retention period (a custody line)."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand
from station.retention import hold


class Command(StationCommand):
    help = HELP["hold"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.hold(parser)

    def run(self, args: argparse.Namespace) -> int:
        hold(self.store(args), args.recording, args.reason, args.case)
        self.stdout.write(f"held: {args.recording} ({args.reason})")
        return 0
