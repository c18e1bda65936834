"""The control room's messages on the card until the broker has them: a bounded, persistent queue in
SQLite, oldest first. When it is full, the oldest status message makes room before any alert does, and
every message dropped is counted for the log: the control room learns late, never silently less."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Waiting:
    id: int
    topic: str
    payload: str


class Outbox:
    """Used by one thread (the publisher's)."""

    def __init__(self, path: Path, limit: int) -> None:
        self._limit = limit
        self._db = sqlite3.connect(path, check_same_thread=False)  # made in one thread, used in another
        with self._db:
            self._db.execute("CREATE TABLE IF NOT EXISTS waiting (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                             "alert INTEGER NOT NULL, topic TEXT NOT NULL, payload TEXT NOT NULL)")

    def put(self, topic: str, payload: str, alert: bool) -> int:
        """Keep the message; returns how many older ones were dropped to make room (0 or 1)."""
        with self._db:
            dropped = 0
            if len(self) >= self._limit:
                victim = self._db.execute("SELECT id FROM waiting ORDER BY alert, id LIMIT 1").fetchone()
                self._db.execute("DELETE FROM waiting WHERE id = ?", victim)
                dropped = 1
            self._db.execute("INSERT INTO waiting (alert, topic, payload) VALUES (?, ?, ?)",
                             (int(alert), topic, payload))
        return dropped

    def oldest(self) -> Waiting | None:
        row = self._db.execute("SELECT id, topic, payload FROM waiting ORDER BY id LIMIT 1").fetchone()
        return Waiting(*row) if row else None

    def remove(self, message: Waiting) -> None:
        with self._db:
            self._db.execute("DELETE FROM waiting WHERE id = ?", (message.id,))

    def __len__(self) -> int:
        return int(self._db.execute("SELECT count(*) FROM waiting").fetchone()[0])

    def close(self) -> None:
        self._db.close()
