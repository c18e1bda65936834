"""``bodycam station serve``: the evidence office's web application under gunicorn."""

from __future__ import annotations

import argparse
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.management.base import StationCommand
from station.web.server import serve


class Command(StationCommand):
    help = HELP["serve"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.serve(parser)

    def run(self, args: argparse.Namespace) -> int:
        serve(self.store(args), args.bind, args.workers, args.agency_key)
        return 0
