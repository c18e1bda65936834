"""The kinds of case (Vorgang) an evidence office keeps recordings for, and how long each keeps them after
the case is closed. Standard library only: the settings read the periods from the environment.

The default periods are a starting point for the office's data-protection officer, not legal advice;
``BODYCAM_CASE_RETENTION_DAYS`` overrides them, e.g. ``ordnungswidrigkeit=365,strafanzeige=1825``.
"""

from __future__ import annotations

import re
from datetime import timedelta

from bodycam.errors import EXIT_USAGE, BodycamError

OFFENCE = "ordnungswidrigkeit"
CRIMINAL_COMPLAINT = "strafanzeige"
DISCIPLINARY = "dienstaufsicht"
ACCESS_REQUEST = "auskunftsersuchen"
KINDS = (OFFENCE, CRIMINAL_COMPLAINT, DISCIPLINARY, ACCESS_REQUEST)

DEFAULT_DAYS = {OFFENCE: 365, CRIMINAL_COMPLAINT: 5 * 365, DISCIPLINARY: 3 * 365, ACCESS_REQUEST: 365}
"""Days after closing: an administrative offence's proceedings and appeal; a criminal complaint until the
prosecution's file is closed; a disciplinary matter; an access request (Art. 15 GDPR) and its complaint."""

PERIOD = re.compile(r"^(?P<kind>[a-z]+)=(?P<days>\d{1,5})$")


class CasePeriodError(BodycamError, ValueError):
    exit_code = EXIT_USAGE


def periods(text: str) -> dict[str, timedelta]:
    """The defaults with the overrides in ``text`` (``kind=days,kind=days``; empty: none)."""
    days = dict(DEFAULT_DAYS)
    for item in filter(None, (part.strip() for part in text.split(","))):
        match = PERIOD.match(item)
        if match is None or match["kind"] not in KINDS:
            raise CasePeriodError(f"BODYCAM_CASE_RETENTION_DAYS: {item[:60]!r}: write kind=days with a kind of "
                                  f"{', '.join(KINDS)}, e.g. {OFFENCE}=365")
        days[match["kind"]] = int(match["days"])
    return {kind: timedelta(days=number) for kind, number in days.items()}
