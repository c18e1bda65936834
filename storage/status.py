"""The camera's last battery reading, kept beside its recordings so that the offload can report it
(the offload runs as its own process and must not open the fuel gauge the firmware owns)."""

from __future__ import annotations

import json
import os
from pathlib import Path

STATUS = "status.json"


def write_status(data_dir: Path, **fields: object) -> None:
    """Atomically replace the status file (no fsync: a lost update only shows an older reading)."""
    path = data_dir / STATUS
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(fields), encoding="utf-8")
    os.replace(temporary, path)


def read_status(data_dir: Path) -> dict[str, object]:
    try:
        status = json.loads((data_dir / STATUS).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return status if isinstance(status, dict) else {}
