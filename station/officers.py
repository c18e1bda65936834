"""Officers from the town's personnel list: a CSV export the personnel office already makes, imported
with a dry run that lists every change first. One person is one officer (the personnel number); each
change is a custody line; a file with one bad row changes nothing.

The file: UTF-8 (a spreadsheet's byte-order mark allowed), ``;`` or ``,`` between fields, a header row
naming at least ``personalnummer`` and ``name``; optional ``team``, ``ausweise`` (badge UIDs in hex,
separated by spaces) and ``aktiv`` (``ja``/``nein``, default ``ja``).
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from bodycam.errors import BodycamError
from station.models import Badge, Officer
from station.store import Store

MAX_FILE_BYTES = 5_000_000
MAX_ROWS = 20_000
NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z./-]{0,19}$")
UID = re.compile(r"^(?:[0-9A-F]{8}|[0-9A-F]{14}|[0-9A-F]{20})$")
"""A contactless card's UID: 4, 7 or 10 bytes (ISO/IEC 14443-3), in hex."""
YES, NO = {"ja", "yes", "1", "true", "x", ""}, {"nein", "no", "0", "false"}
MAX_PROBLEMS_SHOWN = 10


class OfficerError(BodycamError, ValueError):
    """A personnel list or badge the station refuses: what is wrong, where, and nothing changed."""


def normal_uid(text: str) -> str:
    """A UID as readers and lists write it (``04:a1:b2 …``, ``04A1B2…``), as stored: upper-case hex."""
    return re.sub(r"[\s:-]", "", text).upper()


@dataclass(frozen=True)
class Row:
    number: str
    name: str
    team: str
    badges: frozenset[str]
    active: bool


@dataclass(frozen=True)
class Change:
    action: str
    """``officer-added``, ``officer-changed``, ``officer-deactivated``, ``badge-added``, ``badge-revoked``."""
    number: str
    what: str


def read(path: Path) -> list[Row]:
    """The rows of a personnel list; OfficerError naming each bad line (the first ten) if any is bad."""
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise OfficerError(f"{path}: {size} bytes; a personnel list has at most {MAX_FILE_BYTES}")
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OfficerError(f"{path}: not UTF-8 (byte {exc.start}); save it as CSV UTF-8") from None
    except OSError as exc:
        raise OfficerError(f"{path}: {exc.strerror}") from None
    dialect = ";" if text.split("\n", 1)[0].count(";") >= text.split("\n", 1)[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=dialect)
    header = {(name or "").strip().lower() for name in reader.fieldnames or []}
    if not {"personalnummer", "name"} <= header:
        raise OfficerError(f"{path}: the first line must name the columns personalnummer and name "
                           f"(found: {', '.join(sorted(header))[:200] or 'nothing'})")
    rows, problems = [], []
    seen_numbers: dict[str, int] = {}
    seen_badges: dict[str, int] = {}
    for line, raw in enumerate(reader, start=2):
        if line - 1 > MAX_ROWS:
            raise OfficerError(f"{path}: more than {MAX_ROWS} rows")
        fields = {(key or "").strip().lower(): (value or "").strip() if isinstance(value, str) else ""
                  for key, value in raw.items()}
        row, problem = _row(fields)
        if problem:
            problems.append(f"line {line}: {problem}")
            continue
        assert row is not None
        if row.number in seen_numbers:
            problems.append(f"line {line}: personnel number {row.number} again (first on line "
                            f"{seen_numbers[row.number]}); one person, one row")
            continue
        seen_numbers[row.number] = line
        for uid in row.badges:
            if uid in seen_badges:
                problems.append(f"line {line}: badge {uid} also on line {seen_badges[uid]}; a badge is one person's")
            seen_badges[uid] = line
        rows.append(row)
    if problems:
        shown = "; ".join(problems[:MAX_PROBLEMS_SHOWN])
        more = f" (and {len(problems) - MAX_PROBLEMS_SHOWN} more)" if len(problems) > MAX_PROBLEMS_SHOWN else ""
        raise OfficerError(f"{path}: nothing imported: {shown}{more}")
    return rows


def _row(fields: dict[str, str]) -> tuple[Row | None, str]:
    number, name = fields.get("personalnummer", ""), " ".join(fields.get("name", "").split())
    if not NUMBER.match(number):
        return None, f"personnel number {number[:30]!r}: letters, digits, . / -, at most 20"
    if not name or len(name) > 200:
        return None, f"personnel number {number}: a name of 1 to 200 characters"
    active = fields.get("aktiv", "").lower()
    if active not in YES | NO:
        return None, f"personnel number {number}: aktiv is {active[:10]!r}; write ja or nein"
    badges = frozenset(normal_uid(uid) for uid in fields.get("ausweise", "").split())
    bad = sorted(uid for uid in badges if not UID.match(uid))
    if bad:
        return None, f"personnel number {number}: badge {bad[0][:30]!r} is no UID (4, 7 or 10 bytes in hex)"
    return Row(number, name, fields.get("team", "")[:100], badges, active in YES), ""


def plan(store: Store, rows: list[Row], deactivate_missing: bool = False) -> list[Change]:
    """What importing ``rows`` would change, officer by officer (the dry run's list)."""
    officers = {o.personnel_number: o for o in store.db.query(Officer)}
    badges = {b.uid: b for b in store.db.query(Badge).filter(revoked_at__isnull=True).select_related("officer")}
    changes, listed = [], {row.number for row in rows}
    for row in rows:
        officer = officers.get(row.number)
        if officer is None:
            changes.append(Change("officer-added", row.number, f"{row.name}, {row.team or '—'}"))
        else:
            differs = [f"{field}: {old!r} → {new!r}" for field, old, new in (
                ("name", officer.name, row.name), ("team", officer.team, row.team),
                ("active", officer.active, row.active)) if old != new]
            if differs:
                changes.append(Change("officer-changed" if row.active else "officer-deactivated", row.number,
                                      "; ".join(differs)))
        held = {uid for uid, badge in badges.items() if badge.officer.personnel_number == row.number}
        changes += [Change("badge-revoked", row.number, uid) for uid in sorted(held - row.badges)]
        for uid in sorted(row.badges - held):
            other = badges.get(uid)
            if other is not None and other.officer.personnel_number not in listed:
                raise OfficerError(f"personnel number {row.number}: badge {uid} is still "
                                   f"{other.officer.personnel_number}'s, who is not in the list; list them without "
                                   "it, or revoke it first")
            changes.append(Change("badge-added", row.number, uid))  # from a listed officer: a hand-over
    if deactivate_missing:
        changes += [Change("officer-deactivated", number, "not in the list")
                    for number, officer in sorted(officers.items()) if officer.active and number not in listed]
    return changes


def apply(store: Store, rows: list[Row], who: str, at: datetime, deactivate_missing: bool = False) -> list[Change]:
    """Import ``rows``: all of ``plan``'s changes in one transaction, each a custody line."""
    changes = plan(store, rows, deactivate_missing)
    by_number = {row.number: row for row in rows}
    officers, badges = store.db.query(Officer), store.db.query(Badge)
    with store.db.atomic():
        for change in changes:
            row = by_number.get(change.number)
            if change.action == "badge-revoked":
                badges.filter(uid=change.what, revoked_at__isnull=True,
                              officer__personnel_number=change.number).update(revoked_at=at)
            elif change.action == "badge-added":  # from its former holder, if the list moves it
                badges.filter(uid=change.what, revoked_at__isnull=True).update(revoked_at=at)
            if change.action == "officer-added" and row is not None:
                officers.create(personnel_number=row.number, name=row.name, team=row.team, active=row.active)
            elif change.action in ("officer-changed", "officer-deactivated"):
                fields = {"name": row.name, "team": row.team, "active": row.active} if row else {"active": False}
                officers.filter(personnel_number=change.number).update(**fields)
            if change.action == "badge-added":
                badges.create(uid=change.what, officer=officers.get(personnel_number=change.number), added_at=at)
            store.log(change.action, f"officer {change.number}", who, change=change.what)
    return changes
