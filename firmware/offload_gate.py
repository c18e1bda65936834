"""``bodycam offload-gate``: the only program the station's SSH key may run on a camera.

The station logs in as the unprivileged offload user, whose authorized_keys line reads
``restrict,command="… offload-gate --data-dir D" <station key>``: sshd runs this gate whatever the station
asked for and leaves the request in ``SSH_ORIGINAL_COMMAND``. Exactly three requests pass, word for word
as the station makes them (station/offload.py, station/camera_assignment.py): the offload session on D,
the assignment session on D (which keeps only an assignment the station key signed), and rsync
*sending* (never receiving, never deleting) ``D/recordings`` and ``D/audit`` (or, for older stations,
one of them).
Anything else is refused before it runs, with one line to the station and one to the camera's journal:
a stolen station key can read what the station may read, and nothing more.
"""

from __future__ import annotations

import argparse
import os
import re
import shlex
import sys
from dataclasses import dataclass

from bodycam.errors import EXIT_USAGE, BodycamError
from firmware.offload_cli import cmd_assignment, cmd_session

MAX_REQUEST = 4096
"""Longer than any request the station makes (a path and a few options)."""
RSYNC_FLAGS = re.compile(r"-[rt]{1,2}(e\.[A-Za-z]{0,32})?")
"""What ``rsync -rt`` sends its server: recursion, times, and after ``e.`` the protocol's capability letters."""
BWLIMIT = re.compile(r"--bwlimit=[0-9]{1,9}")
SESSIONS = {"offload-session": cmd_session, "assignment-session": cmd_assignment}
SHARED = ("recordings", "audit")
"""The folders of the data dir the station pulls."""


class Refused(BodycamError, ValueError):
    """A request the gate does not let through; the message says which part."""


@dataclass(frozen=True)
class Admitted:
    """What the gate lets run: the offload or the assignment session in this process, or rsync with ``argv``."""

    session: str | None
    """``offload-session`` or ``assignment-session``; None for rsync."""
    argv: tuple[str, ...] = ()


def admit(request: str | None, data_dir: str) -> Admitted:
    """The one program a station's request may start, or ``Refused`` naming what is not allowed."""
    if not request:
        raise Refused("no command (a login shell is not offered to the station's key)")
    if len(request) > MAX_REQUEST:
        raise Refused(f"a request of {len(request)} characters (at most {MAX_REQUEST})")
    try:
        words = shlex.split(request)
    except ValueError:
        raise Refused("a request with unbalanced quotes") from None
    root = data_dir.rstrip("/")
    if len(words) == 4 and os.path.basename(words[0]) == "bodycam" and words[1] in SESSIONS \
            and words[2:] == ["--data-dir", root]:
        return Admitted(session=words[1])
    if words[:3] != ["rsync", "--server", "--sender"]:
        raise Refused(f"{words[0][:60]!r} {' '.join(w[:40] for w in words[1:3])}: only the offload and the "
                      f"assignment session on {root} and rsync sending from it")
    rest = words[3:]
    dot = rest.index(".") if "." in rest else len(rest)
    options, sources = rest[:dot], rest[dot + 1:]
    if sources not in _sendable(root):
        raise Refused(f"rsync of {' '.join(rest)[-80:]!r}: only {root}/recordings and {root}/audit are sent")
    for option in options:
        if not (RSYNC_FLAGS.fullmatch(option) or BWLIMIT.fullmatch(option)):
            raise Refused(f"rsync option {option[:60]!r}: only -rt and --bwlimit are allowed")
    return Admitted(session=None, argv=("rsync", "--server", "--sender", *options, ".", *sources))


def _sendable(root: str) -> list[list[str]]:
    """The source lists rsync may send: both folders in one transfer (this station), or one folder's
    contents (stations before it)."""
    return [[f"{root}/{name}" for name in SHARED], *([f"{root}/{name}/"] for name in SHARED)]


def _journal(line: str) -> None:
    """The refusal in the camera's journal (the auth facility): the gate cannot write the signed audit log,
    whose key the offload user cannot read."""
    try:
        import syslog
    except ImportError:  # not on a Pi
        return
    syslog.openlog("bodycam-offload-gate", 0, syslog.LOG_AUTH)
    syslog.syslog(syslog.LOG_WARNING, line)


def cmd_gate(args: argparse.Namespace) -> int:
    try:
        admitted = admit(os.environ.get("SSH_ORIGINAL_COMMAND"), args.data_dir)
    except Refused as exc:
        line = f"bodycam offload-gate: refused {exc}; this key may only offload"
        _journal(line)
        print(line, file=sys.stderr)
        return EXIT_USAGE
    if admitted.session is not None:
        return SESSIONS[admitted.session](argparse.Namespace(data_dir=args.data_dir.rstrip("/")))
    sys.stdout.flush()
    os.execvp(admitted.argv[0], list(admitted.argv))  # rsync speaks to the station on our stdin and stdout


def add_command(commands: argparse._SubParsersAction) -> None:
    gate = commands.add_parser("offload-gate", help="forced command of the station's SSH key: lets only the "
                                                    "offload and assignment sessions and rsync reading the data "
                                                    "dir through")
    gate.add_argument("--data-dir", required=True)
    gate.set_defaults(handler=cmd_gate)
