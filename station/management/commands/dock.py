"""``bodycam station dock``: the dock's badge reader. Each badge laid on it checks the officer's pool
camera in, or a ready one out (station.dock), and tells the camera its wearer over SSH; the line printed
is what the officer reads at the dock. Runs until stopped (its systemd unit restarts it); a missing reader
is said, and waited for."""

from __future__ import annotations

import argparse
import signal
from argparse import ArgumentParser
from datetime import UTC, datetime

from station import arguments
from station.arguments import HELP
from station.badge_reader import events
from station.camera_assignment import Reach
from station.dock import dock_rules, handle
from station.management.base import StationCommand


class Command(StationCommand):
    help = HELP["dock"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.dock(parser)

    def run(self, args: argparse.Namespace) -> int:
        store, rules = self.store(args), dock_rules(args.min_battery)
        reach = Reach(args.identity, args.data_dir, args.remote_bodycam, args.connect_timeout)
        stopping: list[int] = []
        signal.signal(signal.SIGTERM, lambda number, frame: stopping.append(number))
        self.stdout.write(f"dock: waiting for badges (camera handed out at {rules.min_battery_percent:.0f} % battery "
                          "or more)")
        self.stdout.flush()
        for event in events(lambda: bool(stopping), args.reader):
            self.stdout.write(handle(store, event, rules, datetime.now(UTC), reach))
            self.stdout.flush()
        return 0
