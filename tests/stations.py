"""An evidence store with an enrolled camera reached over the test sshd, for the station tests."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from station.registry import enrol
from station.store import Store

BODYCAM = str(Path(sys.executable).parent / "bodycam")


def enrolled(store: Store, device: Path, sshd, name: str = "cam-001") -> None:
    """Enrol ``device`` (a camera data dir) as ``name`` at the test sshd; installs the station key on it."""
    shutil.copy(store.station_pub_path, device / "keys" / "station.pub")
    enrol(store, name, sshd.host, sshd.port, sshd.user, (device / "keys" / "device.pub").read_text(),
          sshd.known_hosts.read_text())


def db_args(store: Store) -> list[str]:
    """``--store`` and, for a PostgreSQL store, ``--database``: how a command finds this store."""
    return ["--store", str(store.root), *(["--database", store.db.url] if "postgresql" in store.db.url else [])]


def offload_args(store: Store, sshd, device: Path, name: str = "cam-001", *extra: str) -> list[str]:
    return ["offload", name, *db_args(store), "--identity", str(sshd.identity), "--data-dir", str(device),
            "--remote-bodycam", BODYCAM, *extra]
