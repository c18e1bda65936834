"""``bodycam station …``, ``bodycam offload``, ``bodycam evidence hold|release|purge`` and ``bodycam stats``:
the evidence station's commands.

Each station job is a Django management command (station/management/commands/), which ``django-admin``
and the systemd units run too; here ``bodycam`` builds its parsers from the same options
(``station.arguments``) and hands them over, without loading Django for ``--help``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Callable
from pathlib import Path

from station import arguments
from station.arguments import HELP, STATUSES


def job(name: str) -> Callable[[argparse.Namespace], int]:
    """The handler that runs the management command ``name`` with the options ``bodycam`` parsed."""
    def handler(args: argparse.Namespace) -> int:
        from station.management.base import run_job

        return run_job(name, args)

    return handler


def cmd_stats(args: argparse.Namespace) -> int:
    from station.stats import collect

    stats = collect(args.dir).as_dict()
    if args.json:
        print(json.dumps(stats, indent=2))
    elif args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["figure", "value"])
        for key, value in stats.items():
            writer.writerow([key, json.dumps(value) if isinstance(value, dict) else value])
    else:
        for key, value in stats.items():
            print(f"{key:<36} {value}")
    return 0


def add_commands(commands: argparse._SubParsersAction,
                 evidence_tools: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """Returns the ``station`` sub-commands, where the station's installation adds ``demo``."""
    station = commands.add_parser("station", help="the evidence station: store, registry, quarantine, custody log")
    sub = station.add_subparsers(dest="station_command", required=True)
    for name in ("init", "user", "serve", "enrol", "devices"):
        parser = sub.add_parser(name, help=HELP[name])
        getattr(arguments, name)(parser)
        parser.set_defaults(handler=job(name))
    for status, text in STATUSES.items():
        mark = sub.add_parser(f"mark-{status}", help=text)
        arguments.mark(mark, status=False)
        mark.set_defaults(handler=job("mark"), status=status)
    for name in ("quarantine", "custody", "officers", "dock", "broker", "broker-certificate", "control-room", "jobs"):
        parser = sub.add_parser(name, help=HELP[name])
        getattr(arguments, name.replace("-", "_"))(parser)
        parser.set_defaults(handler=job(name.replace("-", "_")))
    sweep = sub.add_parser("sweep", help=HELP["sweep"])
    arguments.store_options(sweep)
    sweep.set_defaults(handler=job("sweep"))

    offload = commands.add_parser("offload", help=HELP["offload"])
    arguments.offload(offload)
    offload.set_defaults(handler=job("offload"))
    for name in ("hold", "release", "purge"):
        parser = evidence_tools.add_parser(name, help=HELP[name])
        getattr(arguments, name)(parser)
        parser.set_defaults(handler=job(name))

    stats_cmd = commands.add_parser("stats", help="anonymous pilot statistics from audit logs")
    stats_cmd.add_argument("dir", type=Path, nargs="+", help="data dirs or evidence stores (each line counted once)")
    form = stats_cmd.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true")
    form.add_argument("--csv", action="store_true")
    stats_cmd.set_defaults(handler=cmd_stats)
    return sub
