"""The ``bodycam`` command of the station's installation: the camera's commands (for the simulator and
for checking a camera's files) plus the evidence office's, the station's and the technician's.

It composes the products' command sets and adds what needs two of them: the demo store (the station
filled by the simulator) and the station's registry behind ``bodycam deploy --store``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bodycam.camera import add_commands as add_camera_commands
from bodycam.camera import run_command
from fleet.cli import add_commands as add_fleet_commands
from station import arguments as station_arguments
from station.arguments import store_options
from station.cli import add_commands as add_station_commands
from station.evidence_cli import add_commands as add_evidence_commands

if TYPE_CHECKING:
    from fleet.deploy import Registry


def cmd_demo(args: argparse.Namespace) -> int:
    from station.database import setup_django

    setup_django(args.store, args.database)  # the demo's modules use the station's models from their import
    from office.demo import KIOSK_PIN, make_demo
    from office.demo_serve import SIM_CAMERA

    users = make_demo(args.store, args.database, args.broker_port)
    print(f"DEMO store with simulated recordings and TEST keys: {args.store}")
    for name, password, roles in users:
        print(f"  user {name:<12} password {password:<22} ({', '.join(roles)})")
    print(f"  kiosk: personnel number {KIOSK_PIN[0]}, PIN {KIOSK_PIN[1]} (Clara Nowak returns cam-demo-02)")
    print(f"  control room: log in as leitstelle; make sim ARGS=\"--mqtt {args.store / SIM_CAMERA}\" sends as "
          "cam-demo-01 (hold RECORD: an alert)")
    print("  redaction: a copy with the faces made unrecognisable waits for leitung's approval (Schwärzungen)")
    return 0


def _demo_serve(args: argparse.Namespace) -> int:
    from office.demo_serve import cmd_demo_serve

    return cmd_demo_serve(args)


def _open_registry(root: Path, database: str | None) -> Registry:
    from station.enrolment import open_registry

    return open_registry(root, database)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bodycam", description="Body cam firmware, simulator, evidence station "
                                                                 "and fleet tools.")
    commands = parser.add_subparsers(dest="command", required=True)
    keys = add_camera_commands(commands)
    evidence_tools = add_evidence_commands(commands, keys)
    station = add_station_commands(commands, evidence_tools)
    demo = station.add_parser("demo", help="create a DEMO store from simulated recordings, with demo users")
    store_options(demo)
    demo.add_argument("--broker-port", type=int, default=8883, metavar="PORT",
                      help="the demo's broker for the control room listens on 127.0.0.1:PORT (default 8883)")
    demo.set_defaults(handler=cmd_demo)
    demo_serve = station.add_parser("demo-serve", help="serve a DEMO store with the control room's broker and reader "
                                                       "beside it (make station)")
    station_arguments.serve(demo_serve)
    demo_serve.set_defaults(handler=_demo_serve)
    add_fleet_commands(commands, _open_registry)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser, argv)


if __name__ == "__main__":
    sys.exit(main())
