"""``bodycam station user``: a user of the web application with exactly the roles named (a custody line)."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand, password
from station.web.users import add_user


class Command(StationCommand):
    help = HELP["user"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.user(parser)

    def run(self, args: argparse.Namespace) -> int:
        add_user(self.store(args), args.name, args.role, password(args), staff="admin" in args.role,
                 personnel_number=args.personnel_number)
        self.stdout.write(f"user {args.name}: {', '.join(args.role)}")
        return 0
