"""The camera's side of what the station does over SSH: ``bodycam offload-session`` and
``bodycam assignment-session``.

One process for the whole offload: it prints the manifest as one JSON line, hashes the last segment of
each finished recording while the station pulls them (the others' hashes are in the headers after
them), then reads the station's signed receipt as one line and prints what it deleted and set aside as
one JSON line. End of input without a receipt deletes nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import threading
from pathlib import Path

DEFAULT_DATA = "/var/lib/bodycam"


def cmd_session(args: argparse.Namespace) -> int:
    from storage.manifest import manifest

    data_dir = Path(args.data_dir)
    offered = manifest(data_dir)
    print(json.dumps(offered), flush=True)
    from storage.release import FileHashes, last_segments, release  # cryptography: while the station pulls

    # the other segments' hashes are named, signed, in the headers after them (storage.release)
    finished = last_segments([data_dir / "recordings" / r["id"] for r in offered["recordings"]  # type: ignore[attr-defined]
                              if r["finished"]])
    hashes = FileHashes()
    hashing = threading.Thread(target=hashes.prepare, args=(finished,), name="prehash", daemon=True)
    hashing.start()
    line = sys.stdin.readline()
    if not line.strip():
        return 0  # the station took nothing
    try:
        receipt = json.loads(line)
    except ValueError:
        receipt = None
    hashing.join()
    print(json.dumps(dataclasses.asdict(release(data_dir, receipt, hashes))), flush=True)
    return 0


def cmd_assignment(args: argparse.Namespace) -> int:
    """Reads the station's signed assignment as one line, keeps it if valid and newer, and answers one JSON
    line: ``{"accepted": pseudonym or null}`` or ``{"refused": why}``. The firmware writes it into the
    signed audit log (firmware.wearer)."""
    from storage.assignment import MAX_BYTES, AssignmentError, replace_current
    from storage.keys import KeyFileError, key_id, load_device_public, load_station_public

    data_dir = Path(args.data_dir)
    keys = data_dir / "keys"
    try:
        held = replace_current(data_dir, sys.stdin.readline(MAX_BYTES + 1).strip(),
                               load_station_public(keys / "station.pub"),
                               key_id(load_device_public(keys / "device.pub")))
    except (AssignmentError, KeyFileError, OSError) as exc:
        print(json.dumps({"refused": str(exc)}), flush=True)
        return 1
    print(json.dumps({"accepted": held.officer}), flush=True)
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    session = commands.add_parser("offload-session", help="camera side of an offload: manifest, then delete "
                                                          "what the station's signed receipt covers")
    session.add_argument("--data-dir", default=DEFAULT_DATA)
    session.set_defaults(handler=cmd_session)
    assignment = commands.add_parser("assignment-session", help="camera side of a check-out or check-in: keep the "
                                                                "station's signed assignment (a pseudonym)")
    assignment.add_argument("--data-dir", default=DEFAULT_DATA)
    assignment.set_defaults(handler=cmd_assignment)
