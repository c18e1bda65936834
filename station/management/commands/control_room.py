"""``bodycam station control-room``: the cameras' status and alerts from the broker into the store, for
the control room (station.control_room). Runs until stopped; a refused message is said, one line each."""

from __future__ import annotations

import argparse
import signal
from argparse import ArgumentParser

from station import arguments
from station.arguments import HELP
from station.control_room import listen
from station.management.base import StationCommand


class Command(StationCommand):
    help = HELP["control-room"]

    def add_arguments(self, parser: ArgumentParser) -> None:
        arguments.control_room(parser)

    def run(self, args: argparse.Namespace) -> int:
        stopping: list[int] = []
        signal.signal(signal.SIGTERM, lambda number, frame: stopping.append(number))
        self.stdout.write(f"control room: reading the cameras from {args.host}:{args.port}")
        self.stdout.flush()
        listen(self.store(args), args.host, args.port, lambda: bool(stopping), self._say,
               lambda: self._say("control room: subscribed to the cameras' messages"))
        return 0

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
