"""Template filters that turn the station's stored codes and records into what a clerk reads:
``{{ code|label:"action" }}``, ``{{ details|readable }}``, ``{{ "2026-01-05T00:00:00.000Z"|utc_time }}``."""

from __future__ import annotations

import re
from datetime import datetime

from django import template
from django.template.defaultfilters import yesno
from django.utils import formats, timezone

from station import labels

register = template.Library()
UTC_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)$")


@register.filter
def label(code: object, kind: str) -> str:
    return labels.label(code, kind)


@register.filter
def readable(value: object) -> str:
    """A record's details as ``key: value · key: value`` (lists comma-separated), not Python's repr."""
    if isinstance(value, dict):
        return " · ".join(f"{key}: {readable(item)}" for key, item in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(readable(item) for item in value) or "—"
    if value is None:
        return "—"
    if isinstance(value, bool):
        return str(yesno(value))
    if isinstance(value, str) and UTC_TIME.match(value):
        return utc_time(value)
    return str(value)


@register.filter
def utc_time(value: object) -> str:
    """An ISO 8601 UTC time from a camera's record (``…Z``) in the station's time zone and the reader's
    date format; anything else unchanged."""
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return str(value)
    if moment.tzinfo is None:
        return str(value)
    local = timezone.localtime(moment)
    return f"{formats.date_format(local, 'SHORT_DATE_FORMAT')} {formats.time_format(local, 'H:i:s')}"
