"""Check-out and check-in at the kiosk: personnel number and PIN on the dock's screen, for a forgotten
badge or a missing reader. The same rules and custody lines as a badge (station.dock), and guessing is
bounded by the custody log itself: five wrong PINs for one personnel number, or twenty failed tries at
the kiosk, within 15 minutes lock it (for that number, or for everyone) until the window has passed.
The PIN is kept as a password hash, never in the clear, never in a custody line."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.contrib.auth.hashers import check_password, make_password
from django.utils.translation import gettext as _

from station.dock import DockError, refused
from station.models import CustodyEntry, Officer
from station.store import Store

PIN = re.compile(r"^[0-9]{4,8}$")
LOCK = timedelta(minutes=15)
TRIES_PER_OFFICER = 5
TRIES_AT_KIOSK = 20
FAILURES = ("unknown-number", "wrong-pin")
"""What counts as a guess; the refusals of a locked kiosk do not extend the lock."""


def pin_hash(pin: str) -> str:
    """The stored form of a kiosk PIN of 4 to 8 digits; ValueError for anything else."""
    if not PIN.match(pin):
        raise ValueError("a PIN is 4 to 8 digits")
    return make_password(pin)


def kiosk_officer(store: Store, number: str, pin: str, at: datetime, who: str) -> Officer:
    """The active officer with this personnel number and PIN; DockError (and a custody line) otherwise."""
    failed = store.db.query(CustodyEntry).filter(action="dock-refused", subject="kiosk", utc__gte=at - LOCK,
                                                 details__why__in=FAILURES)
    number = number.strip()  # at most 20 characters: the form's field
    if failed.count() >= TRIES_AT_KIOSK:
        refused(store, "kiosk-locked", "kiosk", who, officer=number)
        raise DockError(_("Too many failed tries at this kiosk: use your badge, or wait 15 minutes."))
    officer = store.db.query(Officer).filter(personnel_number=number).first()
    if officer is None:
        refused(store, "unknown-number", "kiosk", who, officer=number)
        raise DockError(_("Personnel number or PIN is wrong."))
    if failed.filter(details__officer=number).count() >= TRIES_PER_OFFICER:
        refused(store, "pin-locked", "kiosk", who, officer=number)
        raise DockError(_("Too many wrong PINs for this personnel number: use your badge, or wait 15 minutes."))
    if not officer.pin:
        refused(store, "no-pin", "kiosk", who, officer=number)
        raise DockError(_("No kiosk PIN is set for this personnel number: ask the administration, or use your "
                          "badge."))
    if not check_password(pin, officer.pin):
        refused(store, "wrong-pin", "kiosk", who, officer=number)
        raise DockError(_("Personnel number or PIN is wrong."))
    if not officer.active:
        refused(store, "inactive-officer", "kiosk", who, officer=number)
        raise DockError(_("%(officer)s is not active in the personnel list.") % {"officer": officer.name})
    return officer
