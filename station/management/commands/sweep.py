"""``bodycam station sweep``: remove the decrypted copies of viewing windows that have closed and the
packages of hand-overs that have expired (the sweep timer's job, every minute): nothing decrypted
outlives its window or link by more than that, whether or not anyone opens a page."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser
from datetime import UTC, datetime

from station import arguments, handover
from station.arguments import HELP
from station.management.base import StationCommand
from station.web.playback import sweep


class Command(StationCommand):
    help = HELP["sweep"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.store_options(parser)

    def run(self, args: argparse.Namespace) -> int:
        store, at = self.store(args), datetime.now(UTC)
        for path in sweep(store, at):
            self.stdout.write(f"removed {path.name} (its viewing window closed)")
        for ended in handover.sweep(store, at):
            self.stdout.write(f"hand-over {handover.number(ended)} expired: its package is deleted")
        return 0
