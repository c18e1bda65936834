"""Check-out and check-in of pool cameras at the dock, by badge (or personnel number at the kiosk): the
assignment record that names a recording's wearer (station.attribution).

A badge read checks a camera in if its officer has one out, else checks one out: the charged, offloaded
pool camera with the fullest battery. Every step and every refusal is a custody line; a refused read
changes nothing. Rules (``Rules``): the least battery to hand a camera out, and that its last offload
left nothing on it and came after it was last checked in.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from bodycam.errors import BodycamError
from station.badge_reader import Event
from station.camera_assignment import Reach, tell_camera
from station.models import Assignment, Badge, Device, Officer, OffloadRun
from station.officers import normal_uid
from station.store import Store

DOUBLE_READ = timedelta(seconds=10)
"""A second read of the same badge this soon is the same tap, not a check-in."""


class DockError(BodycamError, ValueError):
    """A badge or camera the dock refuses; the message says why and what to do (German on the station)."""


@dataclass(frozen=True)
class Rules:
    min_battery_percent: float = 80.0
    overdue_after: timedelta = timedelta(hours=12)
    """A pool camera out longer than a shift is overdue: the dock page highlights it."""


def dock_rules(min_battery_percent: float | None = None) -> Rules:
    """The settings' rules (BODYCAM_DOCK_MIN_BATTERY, BODYCAM_SHIFT_HOURS), the battery's overridable."""
    from django.conf import settings

    battery = settings.BODYCAM_DOCK_MIN_BATTERY if min_battery_percent is None else min_battery_percent
    return Rules(min_battery_percent=battery, overdue_after=settings.BODYCAM_SHIFT)


@dataclass(frozen=True)
class Slot:
    """One camera on the dock page: out (with whom since when), or in, and why it is not ready."""

    device: Device
    problem: str | None
    out: Assignment | None
    overdue: bool
    last_offload: OffloadRun | None


@dataclass(frozen=True)
class Outcome:
    action: str
    """``checked-out`` or ``checked-in``."""
    device: Device
    officer: Officer


def officer_of_badge(store: Store, uid: str) -> Officer:
    """The active officer a badge belongs to; DockError (and a custody line) for any other badge."""
    uid = normal_uid(uid)[:20]
    badge = store.db.query(Badge).select_related("officer").filter(uid=uid).order_by("-added_at").first()
    if badge is None:
        refused(store, "unknown-badge", uid=uid)
        raise DockError(_("Unknown badge %(uid)s: have it registered in the personnel list.") % {"uid": uid})
    if badge.revoked_at is not None:
        refused(store, "revoked-badge", uid=uid, officer=badge.officer.personnel_number)
        raise DockError(_("Badge %(uid)s is revoked: use your current badge.") % {"uid": uid})
    if not badge.officer.active:
        refused(store, "inactive-officer", uid=uid, officer=badge.officer.personnel_number)
        raise DockError(_("%(officer)s is not active in the personnel list.") % {"officer": badge.officer.name})
    return badge.officer


def tap(store: Store, officer: Officer, at: datetime, source: str, rules: Rules) -> Outcome:
    """A badge (or kiosk) read: check in the officer's camera if they have one out, else check one out."""
    with store.db.atomic():
        out = (store.db.query(Assignment).select_related("device").select_for_update()
               .filter(officer=officer, ended_at__isnull=True, mode=Assignment.POOL).first())
        last = store.db.query(Assignment).filter(officer=officer).order_by("-started_at").first()
        device = None if out is not None else ready(store, rules)
        if last is not None and at - max(last.started_at, last.ended_at or last.started_at) < DOUBLE_READ:
            why, message = "double-read", _("Already recorded a moment ago; nothing changed.")
        elif out is not None:
            out.ended_at, out.ended_by = at, source
            out.save(update_fields=["ended_at", "ended_by"])
            store.log("checked-in", out.device.name, source, officer=officer.personnel_number)
            return Outcome("checked-in", out.device, officer)
        elif device is not None:
            store.db.query(Assignment).create(device=device, officer=officer, mode=Assignment.POOL, started_at=at,
                                      started_by=source)
            store.log("checked-out", device.name, source, officer=officer.personnel_number)
            return Outcome("checked-out", device, officer)
        else:
            why, message = "no-camera-ready", _("No camera is ready: every pool camera is out, charging or not yet "
                                                "offloaded.")
    refused(store, why, officer=officer.personnel_number)  # after the transaction: a refusal is kept
    raise DockError(message)


def ready(store: Store, rules: Rules) -> Device | None:
    """The pool camera to hand out: active, in the dock, offloaded empty after it came back, charged."""
    ranked: list[tuple[float, str, Device]] = []
    for device in store.db.query(Device).filter(status=Device.ACTIVE, pool=True):
        why, run = _check(store, device, rules)
        if why is None and run is not None and run.battery_percent is not None:
            ranked.append((-run.battery_percent, device.name, device))
    return min(ranked, key=lambda candidate: candidate[:2])[2] if ranked else None


def problem(store: Store, device: Device, rules: Rules) -> str | None:
    """Why ``device`` cannot be handed out now (for the dock page), or None."""
    return _check(store, device, rules)[0]


def _check(store: Store, device: Device, rules: Rules, out: bool | None = None) -> tuple[str | None, OffloadRun | None]:
    """``problem``, with the last offload it judged (its battery ranks the ready cameras); ``out`` where
    the caller already knows whether the camera is checked out."""
    run = _last_run(store, device)
    if out is None:
        out = store.db.query(Assignment).filter(device=device, ended_at__isnull=True).exists()
    if out:
        return "out", run
    returned = (store.db.query(Assignment).filter(device=device, ended_at__isnull=False).order_by("-ended_at")
                .values_list("ended_at", flat=True).first())
    if run is None or run.outcome != "ok" or (returned is not None and run.started_at < returned):
        return "not-offloaded", run
    if run.on_camera:
        return "recordings-left", run
    if run.battery_percent is None or run.battery_percent < rules.min_battery_percent:
        return "charging", run
    return None, run


def board(store: Store, rules: Rules, at: datetime) -> list[Slot]:
    """Every active camera in pool or out, by name, for the dock page ("Ausgabe und Rücknahme")."""
    out = {assignment.device_id: assignment for assignment in store.db.query(Assignment).select_related("officer")
           .filter(ended_at__isnull=True)}
    slots = []
    for device in store.db.query(Device).filter(status=Device.ACTIVE).order_by("name"):
        if device.pool or device.pk in out:
            assignment = out.get(device.pk)
            why, run = _check(store, device, rules, out=assignment is not None)
            overdue = (assignment is not None and assignment.mode == Assignment.POOL
                       and at - assignment.started_at > rules.overdue_after)
            slots.append(Slot(device, why, assignment, overdue, run))
    return slots


def _last_run(store: Store, device: Device) -> OffloadRun | None:
    return store.db.query(OffloadRun).filter(device=device, finished_at__isnull=False).order_by("-started_at").first()


def refused(store: Store, why: str, where: str = "dock", who: str = "dock", **details: object) -> None:
    store.log("dock-refused", where, who, why=why, **details)


def check(store: Store, officer: Officer, at: datetime, source: str, rules: Rules, reach: Reach | None) -> str:
    """``tap`` for ``officer`` (by badge or at the kiosk), then, with ``reach``, the camera told its wearer:
    the line the officer reads. DockError when the tap is refused."""
    outcome = tap(store, officer, at, source, rules)
    text = _("Checked out: %(camera)s to %(name)s.") if outcome.action == "checked-out" else \
        _("Checked in: %(camera)s from %(name)s. Put it in the dock to offload and charge.")
    said = text % {"camera": outcome.device.name, "name": outcome.officer.name}
    if reach is None:
        return said
    wearer = outcome.officer if outcome.action == "checked-out" else None
    why = tell_camera(store, outcome.device, wearer, at, reach, source)
    return said if why is None else said + " " + _(
        "The camera could not be told (%(why)s): the station's record counts; the recording page shows "
        "the camera's missing word.") % {"why": why}


def handle(store: Store, event: Event, rules: Rules, at: datetime, reach: Reach | None = None) -> str:
    """What the dock does for one reader event, and the line it shows the officer at the reader. With
    ``reach``, the camera checked out or in is told its wearer (station.camera_assignment)."""
    if event.kind == "badge":
        try:
            return check(store, officer_of_badge(store, event.uid), at, "badge", rules, reach)
        except DockError as exc:
            return str(exc)
    if event.kind == "unreadable":
        refused(store, "unreadable-badge", detail=event.detail[:100])
        return _("The badge could not be read: lay it flat on the reader again.")
    store.log(f"dock-{event.kind}", "dock", "dock", reader=event.detail[:100])
    if event.kind == "reader-missing":
        return _("The badge reader is missing: plug it in; until then, check cameras out and in at the kiosk "
                 "with personnel number and PIN.")
    return _("The badge reader is back.")
