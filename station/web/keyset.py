"""Keyset pagination of the recordings list, newest first: a page is found from the row at its edge
(``older`` / ``newer`` than a start time and id), never by counting rows off, so the oldest page is as
quick as the newest however many recordings the store holds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.db.models import Q
from django.http import QueryDict

from bodycam.errors import BodycamError

CURSOR = re.compile(r"^(?P<time>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?\+00:00)_(?P<pk>\d{1,18})$")
MOVES = ("older", "newer", "oldest")


class CursorError(BodycamError, ValueError):
    """A page link that this station did not make (edited by hand, cut off, or hostile)."""


@dataclass(frozen=True)
class Page:
    rows: list[Any]
    newer: str | None
    """The query string of the next newer page, None on the newest."""
    older: str | None
    oldest: str | None
    total: int


def cursor(recording: Any) -> str:
    return f"{recording.started_utc.astimezone(UTC).isoformat()}_{recording.pk}"


def _parse(text: str) -> tuple[datetime, int]:
    match = CURSOR.match(text)
    if match is None:
        raise CursorError("not a page link of this station")
    return datetime.fromisoformat(match["time"]), int(match["pk"])


def page(rows: Any, params: QueryDict, size: int) -> Page:
    """The page of ``rows`` (a queryset, newest first by start and id) that ``params`` asks for."""
    total = rows.count()
    older_than, newer_than = params.get("older", ""), params.get("newer", "")
    if older_than:
        at, pk = _parse(older_than)
        found = list(rows.filter(Q(started_utc__lt=at) | Q(started_utc=at, pk__lt=pk))[:size + 1])
        shown, newer, older = found[:size], True, len(found) > size
    elif newer_than:
        at, pk = _parse(newer_than)
        found = list(rows.filter(Q(started_utc__gt=at) | Q(started_utc=at, pk__gt=pk))
                     .order_by("started_utc", "pk")[:size + 1])
        shown, newer, older = found[:size][::-1], len(found) > size, True
    elif params.get("oldest"):
        shown, newer, older = list(rows.order_by("started_utc", "pk")[:size])[::-1], total > size, False
    else:
        found = list(rows[:size + 1])
        shown, newer, older = found[:size], False, len(found) > size
    return Page(shown, _link(params, "newer", cursor(shown[0])) if newer and shown else None,
                _link(params, "older", cursor(shown[-1])) if older and shown else None,
                _link(params, "oldest", "1") if older and shown else None, total)


def _link(params: QueryDict, move: str, value: str) -> str:
    """The query string of the page ``move`` leads to, keeping the filters."""
    query = params.copy()
    for name in MOVES:
        query.pop(name, None)
    query[move] = value
    return query.urlencode()
