"""``bodycam station quarantine``: refused or conflicting uploads, until a person clears them."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand
from station.quarantine import clear, items, show


class Command(StationCommand):
    help = HELP["quarantine"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.quarantine(parser)

    def run(self, args: argparse.Namespace) -> int:
        store = self.store(args)
        if args.action == "list":
            rows = items(store, include_cleared=args.all)
            for item in rows:
                state = f"cleared by {item.cleared_by}" if item.cleared_at else f"seen {item.times_seen}×"
                self.stdout.write(f"#{item.pk:<4} {item.kind:<15} {item.device_key_id} {item.name:<36} {state}")
            self.stdout.write(f"{len(rows)} item(s)")
        elif args.action == "show":
            self.stdout.write(show(store, args.item))
        else:
            clear(store, args.item, args.reason)
            self.stdout.write(f"cleared #{args.item}")
        return 0
