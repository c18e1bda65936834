"""``bodycam station custody``: verify the signed custody log, or print it as CSV."""

from __future__ import annotations

import argparse
import csv
import json
from argparse import ArgumentParser

from station import arguments, custody
from station.arguments import HELP
from station.management.base import StationCommand
from station.models import CustodyEntry


class Command(StationCommand):
    help = HELP["custody"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.custody(parser)

    def run(self, args: argparse.Namespace) -> int:
        store = self.store(args)
        if args.action == "verify":
            check = custody.verify(store.db, store.station_public())
            for line in check.problems:
                self.stdout.write(f"PROBLEM {line}")
            self.stdout.write(f"custody log: {check.lines} line(s), {len(check.problems)} problem(s), last line "
                              f"{check.last_hash}")
            return 1 if check.problems else 0
        writer = csv.writer(self.stdout)
        writer.writerow(["seq", "utc", "actor", "action", "subject", "details"])
        for e in store.db.query(CustodyEntry).order_by("seq").iterator():
            writer.writerow([e.seq, e.utc.isoformat(), e.actor, e.action, e.subject, json.dumps(e.details)])
        return 0
