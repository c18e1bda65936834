"""A camera told its wearer as the station tells it: an assignment signed by a station key on the camera."""

from __future__ import annotations

import json
from pathlib import Path

from storage.assignment import FOLDER, replace_current, sign_assignment
from storage.keys import create_signing_key, ensure_sim_keys, key_id, load_device_key, load_device_public

SINCE = "2026-12-01T06:00:00+00:00"


def told(data_dir: Path, officer: str | None, issued: str = "2026-12-01T06:00:01+00:00", since: str = SINCE) -> str:
    """Installs a station key on the camera at ``data_dir`` (once) and gives the camera ``officer``
    (a pseudonym, None: checked in) the way the assignment session does; returns the signed line."""
    keys = data_dir / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    ensure_sim_keys(keys)
    create_signing_key(keys, "station")
    device = key_id(load_device_public(keys / "device.pub"))
    station = load_device_key(keys / "station.key")
    line = json.dumps(sign_assignment(officer, since, device, station, issued))
    (data_dir / FOLDER).mkdir(exist_ok=True)  # the firmware's, at its start
    replace_current(data_dir, line, station.public_key(), device)
    return line
