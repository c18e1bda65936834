"""``bodycam station init``: the evidence store's folders, station key and database, and its first administrator."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand, password
from station.store import Store
from station.web.users import add_user


class Command(StationCommand):
    help = HELP["init"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.init(parser)

    def run(self, args: argparse.Namespace) -> int:
        store = Store.init(args.store, args.database)
        self.stdout.write(f"evidence store ready: {store.root} (database {store.db.display_url})")
        self.stdout.write(f"station public key: {store.station_pub_path} (installed on every camera at enrolment)")
        self.stdout.write(f"station SSH key: {store.ssh_identity} (deploy --store lets it offload, and only offload, "
                          "on every camera)")
        if args.admin:
            add_user(store, args.admin, ["admin"], password(args), staff=True)
            self.stdout.write(f"administrator {args.admin} created: log in at `bodycam station serve` and add users")
        return 0
