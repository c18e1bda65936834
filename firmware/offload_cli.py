"""The camera's side of an offload, run by the station over SSH: ``offload-manifest``, ``offload-confirm``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from storage.release import manifest, release

DEFAULT_DATA = "/var/lib/bodycam"


def cmd_manifest(args: argparse.Namespace) -> int:
    print(json.dumps(manifest(Path(args.data_dir))))
    return 0


def cmd_confirm(args: argparse.Namespace) -> int:
    """Reads a signed receipt on stdin; prints the recordings deleted."""
    try:
        receipt = json.load(sys.stdin)
    except ValueError:
        receipt = None
    print(json.dumps(release(Path(args.data_dir), receipt)))
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    for name, handler, text in (("offload-manifest", cmd_manifest, "camera side: list what can be offloaded"),
                                ("offload-confirm", cmd_confirm, "camera side: delete what a signed receipt covers")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--data-dir", default=DEFAULT_DATA)
        sub.set_defaults(handler=handler)
