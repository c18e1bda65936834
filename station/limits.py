"""The limits an offload puts on a camera, with their defaults: standard library only, so the options'
parser (station/arguments.py) takes its defaults from here without loading the offload."""

from __future__ import annotations

import re

from bodycam.errors import EXIT_USAGE, BodycamError

SIZE = re.compile(r"(?P<number>[1-9][0-9]{0,5})(?P<unit>[KMGT]?)")
"""A size as rsync writes it: a number and K, M, G or T (powers of 1024)."""
MAX_FILE_SIZE = "1G"
"""Largest file taken from a camera: a segment is at most a minute or so of video (storage.segment_s),
some tens of MB; a camera sending more is not pulled into the store."""
QUOTA = "1T"
"""Most a camera may occupy in the store (recordings, audit log, quarantine, what is arriving): 14 days'
retention of a camera recording without a break at 8 Mbit/s is 1.2 TB; a camera past it is stopped
before it fills the disk that every camera's evidence shares."""
TIME_LIMIT_S = 7200
"""Longest transfer from one camera: a whole shift at 8 Mbit/s (about 30 GB) takes some minutes over
Ethernet and under an hour over a Pi's USB link; a camera that drips its bytes slower is cut off."""


class SizeError(BodycamError, ValueError):
    exit_code = EXIT_USAGE


def size_bytes(size: str) -> int:
    """Bytes of a size in rsync's notation (``SIZE``)."""
    match = SIZE.fullmatch(size)
    if match is None:
        raise SizeError(f"{size[:40]!r}: write a size such as 500M, 1G or 2T")
    return int(match["number"]) << (10 * " KMGT".index(match["unit"] or " "))
