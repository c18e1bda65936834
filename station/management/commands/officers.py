"""``bodycam station officers FILE``: import the personnel list (station.officers); ``--dry-run`` lists
what would change and changes nothing."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser
from datetime import UTC, datetime

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand
from station.officers import apply, plan, read


class Command(StationCommand):
    help = HELP["officers"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.officers(parser)

    def run(self, args: argparse.Namespace) -> int:
        store, rows = self.store(args), read(args.file)
        changes = plan(store, rows, args.deactivate_missing) if args.dry_run else \
            apply(store, rows, args.who, datetime.now(UTC), args.deactivate_missing)
        for change in changes:
            self.stdout.write(f"{change.action:<20} {change.number:<20} {change.what}")
        verb = "would change" if args.dry_run else "changed"
        self.stdout.write(f"{len(rows)} officer(s) in the list; {verb}: {len(changes)}")
        return 0
