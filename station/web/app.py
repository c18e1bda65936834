"""The store the web application serves, its settings from the environment, and its agency key.

One process serves one store. ``serve_store`` is called once at start-up (by ``bodycam station serve``,
the WSGI entry point, or a test) before the first request.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import x25519

from station.store import Store
from station.web.router import use_store
from storage.keys import load_agency_private


@dataclass
class Served:
    store: Store
    agency_key_path: Path
    passphrase_file: Path | None
    retention: timedelta
    view_window: timedelta
    _agency: x25519.X25519PrivateKey | None = None

    def agency_key(self) -> x25519.X25519PrivateKey:
        """The evidence office's private key, to decrypt for playback and export; KeyFileError says why not."""
        if self._agency is None:
            passphrase = self.passphrase_file.read_bytes().rstrip(b"\n") if self.passphrase_file else None
            self._agency = load_agency_private(self.agency_key_path, passphrase)
        return self._agency


_served: Served | None = None


def serve_store(store: Store, agency_key: Path | None = None, passphrase_file: Path | None = None) -> Served:
    global _served
    from django.conf import settings

    settings.SECRET_KEY = _secret(store)
    use_store(store.db.alias)
    _served = Served(
        store, agency_key or store.root / "keys" / "agency.key",
        passphrase_file or _env_path("BODYCAM_AGENCY_PASSPHRASE_FILE"),
        timedelta(days=int(os.environ.get("BODYCAM_RETENTION_DAYS", "14"))),
        timedelta(hours=float(os.environ.get("BODYCAM_VIEW_WINDOW_HOURS", "24"))),
    )
    return _served


def served() -> Served:
    if _served is None:
        raise RuntimeError("no store is being served: call serve_store() at start-up")
    return _served


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name) or (os.environ.get("CREDENTIALS_DIRECTORY", "") and
                                     str(Path(os.environ["CREDENTIALS_DIRECTORY"]) / "agency-passphrase"))
    return Path(value) if value and Path(value).exists() else None


def _secret(store: Store) -> str:
    """Signs sessions and CSRF tokens: one per store, created once, readable by the station only."""
    path = store.root / "keys" / "web-secret"
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()

