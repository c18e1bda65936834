"""The store the web application serves and its agency key.

One process serves one store: the settings' (``station.settings``), opened at the first request, unless
``serve_store`` named another before it (``bodycam station serve --store``, a test, the demo).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import x25519

from station.router import use_store
from station.store import Store
from storage.keys import load_agency_private


@dataclass
class Served:
    store: Store
    agency_key_path: Path
    passphrase_file: Path | None
    retention: timedelta
    view_window: timedelta
    request_expiry: timedelta
    case_periods: dict[str, timedelta]
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

    use_store(store.db.alias)
    _served = Served(
        store, agency_key or store.root / "keys" / "agency.key",
        passphrase_file or _env_path("BODYCAM_AGENCY_PASSPHRASE_FILE"),
        settings.BODYCAM_RETENTION, settings.BODYCAM_VIEW_WINDOW, settings.BODYCAM_REQUEST_EXPIRY,
        settings.BODYCAM_CASE_RETENTION,
    )
    return _served


def serving() -> Served | None:
    """The store served so far, if any: a login outside the web application (createsuperuser) has none."""
    return _served


def served() -> Served:
    """The served store: the settings' one unless ``serve_store`` chose another."""
    if _served is None:
        from django.conf import settings

        return serve_store(Store.open(settings.BODYCAM_STORE, settings.BODYCAM_DATABASE))
    return _served


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name) or (os.environ.get("CREDENTIALS_DIRECTORY", "") and
                                     str(Path(os.environ["CREDENTIALS_DIRECTORY"]) / "agency-passphrase"))
    return Path(value) if value and Path(value).exists() else None
