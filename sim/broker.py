"""``bodycam sim --mqtt DIR``: the simulated camera sends its status and alerts to a control room's broker,
as a deployed camera does (firmware.control_room). ``DIR`` holds what a deploy would install: the camera's
broker files and a ``config.toml`` with its ``[control_room]`` section; ``bodycam station demo`` writes one
for the demo's broker (``station-demo/sim-camera``)."""

from __future__ import annotations

import shutil
from pathlib import Path

from firmware.config import Config, ConfigError, load, override
from storage.status_messages import CA, CERTIFICATE, KEY


def with_broker(config: Config, folder: Path) -> Config:
    """``config`` sending to the broker ``folder`` names, its files copied into the data dir's keys."""
    missing = [name for name in (CERTIFICATE, KEY, CA, "config.toml") if not (folder / name).is_file()]
    if missing:
        raise ConfigError(f"--mqtt {folder}: {', '.join(missing)} missing; the station writes the folder "
                          "(make station writes station-demo/sim-camera)")
    settings = load(folder / "config.toml").control_room
    if not settings.enabled:
        raise ConfigError(f"{folder / 'config.toml'}: control_room.enabled is not true")
    keys = Path(config.storage.data_dir) / "keys"
    keys.mkdir(parents=True, exist_ok=True)
    for name in (CERTIFICATE, CA, KEY):
        shutil.copy(folder / name, keys / name)
    (keys / KEY).chmod(0o600)
    return override(config, control_room={"enabled": True, "host": settings.host, "port": settings.port,
                                          "queue_max": settings.queue_max})
