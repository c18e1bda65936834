"""The evidence store on disk: its folders, its database and its station key.

    <store>/station.sqlite3                          the database (unless --database names another)
    <store>/keys/station.key, station.pub            signs receipts and the custody log
    <store>/keys/web-secret                          signs the web application's sessions and CSRF tokens
    <store>/keys/ssh_ed25519, ssh_ed25519.pub        logs in to cameras, as their offload user only
    <store>/devices/<device key id>/recordings/<id>/ recordings, append-only
    <store>/devices/<device key id>/audit/           the camera's audit log, append-only
    <store>/incoming/<device key id>/                what an offload is still receiving
    <store>/quarantine/<n>/                          refused or conflicting uploads, until a person clears them
"""

from __future__ import annotations

import os
import secrets
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric import ed25519

from bodycam.errors import EXIT_USAGE, BodycamError
from station import custody
from station.database import DATABASE_FILE, Database, setup_django, sqlite_url, store_database_url
from station.paths import WEB_SECRET, inside
from storage.keys import KeyFileError, create_signing_key, load_device_key, load_device_public


class StoreError(BodycamError, RuntimeError):
    """The store is missing, not initialised, or cannot be written."""
    exit_code = EXIT_USAGE


SSH_KEY = Path("keys", "ssh_ed25519")


def now() -> datetime:
    return datetime.now(UTC)


class Store:
    def __init__(self, root: Path, database_url: str | None = None) -> None:
        self.root = root.resolve()
        url = store_database_url(self.root, database_url)
        _make_web_secret(self.root)
        setup_django(self.root, url)
        self.db = Database(url)

    @classmethod
    def init(cls, root: Path, database_url: str | None = None) -> Store:
        """Create the folders, the station key (kept if present) and the schema."""
        for folder in ("", "keys", "devices", "incoming", "quarantine"):
            (root / folder).mkdir(parents=True, exist_ok=True)
        os.chmod(root, 0o700)  # footage, names and the database: the station's account only
        os.chmod(root / "keys", 0o700)
        create_signing_key(root / "keys", "station")
        _make_ssh_key(root / SSH_KEY)
        _make_private_database(root, database_url)
        store = cls(root, database_url)
        store.db.migrate()
        return store

    @classmethod
    def open(cls, root: Path, database_url: str | None = None) -> Store:
        if not (root / "keys" / "station.key").exists():
            raise StoreError(f"{root} is not an evidence store: create it with `bodycam station init --store {root}`")
        store = cls(root, database_url)
        store.db.migrate()  # brings an older store's schema up to date; nothing to do otherwise
        return store

    # --- keys ----------------------------------------------------------------------------------------

    @property
    def station_pub_path(self) -> Path:
        return self.root / "keys" / "station.pub"

    def station_key(self) -> ed25519.Ed25519PrivateKey:
        try:
            return load_device_key(self.root / "keys" / "station.key")
        except KeyFileError as exc:
            raise StoreError(str(exc)) from None

    def station_public(self) -> ed25519.Ed25519PublicKey:
        return load_device_public(self.station_pub_path)

    @property
    def ssh_identity(self) -> Path:
        """The private key offloads log in with; ``.pub`` beside it is what deploy installs on a camera."""
        return self.root / SSH_KEY

    # --- places (ids are validated before they get here; inside() checks again) ------------------------

    def device_dir(self, device_key_id: str) -> Path:
        return inside(self.root, "devices", device_key_id)

    def recording_dir(self, device_key_id: str, recording_id: str) -> Path:
        return inside(self.root, "devices", device_key_id, "recordings", recording_id)

    def audit_dir(self, device_key_id: str) -> Path:
        return inside(self.root, "devices", device_key_id, "audit")

    def incoming(self, device_key_id: str) -> Path:
        return inside(self.root, "incoming", device_key_id)

    def quarantine_dir(self, number: int) -> Path:
        return inside(self.root, "quarantine", str(number))

    # --- the custody log -----------------------------------------------------------------------------

    def log(self, action: str, subject: str = "", who: str | None = None, **details: object) -> None:
        custody.append(self.db, self.station_key(), action, subject, details, who)


def _make_web_secret(root: Path) -> None:
    """The store's secret for the web application's sessions (``station.paths.web_secret``), made once."""
    path = root / WEB_SECRET
    if path.parent.is_dir() and not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))


def _make_private_database(root: Path, database_url: str | None) -> None:
    """The store's own SQLite file, created 0600 before SQLite would create it readable to all (its
    journal files take the same mode)."""
    path = root.resolve() / DATABASE_FILE
    if store_database_url(root.resolve(), database_url) == sqlite_url(path) and not path.exists():
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _make_ssh_key(path: Path) -> None:
    """The station's SSH key (0600; kept if present). A camera accepts it only for its offload user, whose
    forced command lets nothing but the offload through (firmware/offload_gate.py)."""
    if path.exists():
        return
    path.with_suffix(".pub").unlink(missing_ok=True)  # a public key without its private half is stale
    made = subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bodycam-station", "-f", str(path)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        raise StoreError(f"{path}: ssh-keygen could not create the station's SSH key: {made.stderr.strip()}")
