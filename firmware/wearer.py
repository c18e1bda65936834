"""The camera's word on its wearer: the station's signed assignment (storage.assignment), checked again
and written into the signed audit log as ``assigned`` (with the pseudonym, never a name) or
``unassigned``, once at each start and at each change. The citizen-facing display never shows it."""

from __future__ import annotations

import os
from pathlib import Path

from firmware.log import JsonLog, Record
from storage.assignment import AssignmentError, CameraAssignment, current_path, read_current
from storage.keys import KeyFileError, load_station_public

Stamp = tuple[int, int, int]
"""inode, size and modification time of the assignment file: a new assignment replaces the file."""


class WearerWatch:
    """Polled by the event loop (a stat every few seconds): the file changes a few times a shift."""

    def __init__(self, data_dir: Path, device_key_id: str, log: JsonLog) -> None:
        self._data_dir = data_dir
        self._device_key_id = device_key_id
        self._log = log
        self._seen: Stamp | None = None
        self._said: CameraAssignment | None = None
        # the service's (UMask 0007: its group's too), where the offload user's assignment session writes;
        # a camera that cannot make it still records: it only has no word on its wearer
        try:
            current_path(data_dir).parent.mkdir(exist_ok=True)
        except OSError as exc:
            log.write(Record.ASSIGNMENT_REFUSED, detail=f"{current_path(data_dir).parent}: {exc.strerror}")

    @property
    def pseudonym(self) -> str | None:
        """The wearer the camera last wrote into its audit log (None: nobody, or never told)."""
        said = self._said
        return said.officer if said is not None else None

    def check(self, t: float) -> None:
        try:
            info = os.stat(current_path(self._data_dir))
        except FileNotFoundError:
            return  # never told: the camera has no word on its wearer
        except OSError as exc:
            stamp: Stamp = (-1, -1, exc.errno or 0)  # read (and refused) once, not at every poll
        else:
            stamp = (info.st_ino, info.st_size, info.st_mtime_ns)
        if stamp == self._seen:
            return
        self._seen = stamp
        try:
            held = read_current(self._data_dir, load_station_public(self._data_dir / "keys" / "station.pub"),
                                self._device_key_id)
        except (AssignmentError, KeyFileError) as exc:
            self._log.write(Record.ASSIGNMENT_REFUSED, t, detail=str(exc)[:300])
            return
        if held is None or (self._said is not None and (held.officer, held.since) == (self._said.officer,
                                                                                      self._said.since)):
            return
        self._said = held
        if held.officer is None:
            self._log.write(Record.UNASSIGNED, t, since=held.since, issued=held.issued)
        else:
            self._log.write(Record.ASSIGNED, t, officer=held.officer, since=held.since, issued=held.issued)
