"""``bodycam evidence release``: end a hold (a custody line)."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand
from station.retention import release_hold


class Command(StationCommand):
    help = HELP["release"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.release(parser)

    def run(self, args: argparse.Namespace) -> int:
        release_hold(self.store(args), args.recording, args.reason)
        self.stdout.write(f"hold released: {args.recording}")
        return 0
