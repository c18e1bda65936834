"""Officers, badges and pool cameras at the dock: the personnel list's import (dry run, one bad row
changes nothing), check-out and check-in by badge with their rules, and the wearer of a recording from
the assignment that holds its start. On SQLite and PostgreSQL, with the simulator's recording."""

from __future__ import annotations

from datetime import timedelta

import pytest

from station.attribution import ASSIGNED, OVERLAP, UNASSIGNED, wearer
from station.dock import DockError, Rules, officer_of_badge, problem, tap
from station.models import Assignment, Badge, Device, Officer, OffloadRun, Recording
from station.officers import OfficerError, apply, plan, read
from station.registry import enrol
from tests.test_station_retention import actions, store  # noqa: F401 - the fixture

LIST = """personalnummer;name;team;ausweise;aktiv
4711;Anna Schmidt;KOD Nord;04A1B2C3D4E5F6;ja
4712;Ben Yilmaz;KOD Süd;04:11:22:33:44:55:66 DEADBEEF;ja
"""
RULES = Rules(min_battery_percent=80)


def imported(store, tmp_path, text: str = LIST, at=None, **options):  # noqa: F811 - a store, not the fixture
    """The list imported at ``at``, by default when the store's one recording began."""
    path = tmp_path / "personal.csv"
    path.write_text(text, encoding="utf-8-sig")
    return apply(store, read(path), "personalamt", at or recording(store).started_utc, **options)


def recording(store) -> Recording:  # noqa: F811
    return store.db.query(Recording).select_related("device").get()


def docked(store, device, battery: float = 95, left: int = 0, at=None):  # noqa: F811
    """The offload that ends a dock visit: the camera's battery and what stayed on it."""
    at = at or recording(store).started_utc - timedelta(hours=2)
    store.db.query(OffloadRun).create(device=device, started_at=at, finished_at=at, outcome="ok",
                                      battery_percent=battery, on_camera=left)


def _device_pub() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def test_the_personnel_list_is_imported_after_a_dry_run_and_each_change_logged(store, tmp_path):  # noqa: F811
    store, _ = store
    path = tmp_path / "personal.csv"
    path.write_text(LIST, encoding="utf-8-sig")
    dry = plan(store, read(path))
    assert [(c.action, c.number) for c in dry] == [
        ("officer-added", "4711"), ("badge-added", "4711"), ("officer-added", "4712"), ("badge-added", "4712"),
        ("badge-added", "4712")]
    assert store.db.query(Officer).count() == 0, "a dry run changes nothing"
    imported(store, tmp_path)
    anna = store.db.query(Officer).get(personnel_number="4711")
    assert (anna.name, anna.team, anna.active) == ("Anna Schmidt", "KOD Nord", True)
    assert sorted(store.db.query(Badge).filter(officer__personnel_number="4712").values_list("uid", flat=True)) == [
        "04112233445566", "DEADBEEF"]
    assert anna.pseudonym and anna.pseudonym not in anna.name
    again = imported(store, tmp_path)
    assert again == [], "the same list again changes nothing"
    moved = imported(store, tmp_path, LIST.replace("4711;Anna Schmidt;KOD Nord;04A1B2C3D4E5F6;ja",
                                                   "4711;Anna Schmidt-Berg;KOD Nord;;nein"))
    assert {(c.action, c.number) for c in moved} == {("officer-deactivated", "4711"), ("badge-revoked", "4711")}
    logged = [(e.action, e.subject) for e in actions(store) if e.actor == "personalamt"]
    assert ("officer-deactivated", "officer 4711") in logged and ("badge-revoked", "officer 4711") in logged


def test_a_badge_moves_to_another_officer_in_one_import(store, tmp_path):  # noqa: F811
    store, _ = store
    imported(store, tmp_path)
    imported(store, tmp_path, LIST.replace("04A1B2C3D4E5F6;ja", ";ja").replace("DEADBEEF", "DEADBEEF 04A1B2C3D4E5F6"))
    holders = store.db.query(Badge).filter(uid="04A1B2C3D4E5F6")
    assert holders.get(revoked_at__isnull=True).officer.personnel_number == "4712"
    assert holders.filter(revoked_at__isnull=False).get().officer.personnel_number == "4711"


@pytest.mark.parametrize("text, said", [
    (LIST + "4711;Anna Doppelt;;;ja\n", "line 4: personnel number 4711 again (first on line 2)"),
    (LIST + "4713;Cem;;04A1B2C3D4E5F6;ja\n", "line 4: badge 04A1B2C3D4E5F6 also on line 2"),
    (LIST + "4713;Cem;;XYZ;ja\n", "line 4: personnel number 4713: badge 'XYZ' is no UID"),
    (LIST + "4713;;;;ja\n", "line 4: personnel number 4713: a name of 1 to 200 characters"),
    (LIST + "4713;Cem;;;vielleicht\n", "aktiv is 'vielleicht'; write ja or nein"),
    (LIST + "=cmd|' /C calc'!A0;Cem;;;ja\n", "line 4: personnel number \"=cmd|' /C calc'!A0\""),
    ("nummer;name\n1;x\n", "the first line must name the columns personalnummer and name"),
])
def test_a_list_with_one_bad_row_imports_nothing_and_names_the_line(store, tmp_path, text, said):  # noqa: F811
    store, _ = store
    with pytest.raises(OfficerError, match=r"nothing imported|first line") as error:
        imported(store, tmp_path, text)
    assert said in str(error.value)
    assert store.db.query(Officer).count() == 0


def test_a_list_that_is_not_utf8_or_too_big_is_refused_in_one_line(store, tmp_path):  # noqa: F811
    store, _ = store
    path = tmp_path / "personal.csv"
    path.write_bytes(LIST.encode("cp1252"))
    with pytest.raises(OfficerError, match="not UTF-8"):
        read(path)
    path.write_bytes(b"personalnummer;name\n" + b"1;x\n" * 2_000_000)
    with pytest.raises(OfficerError, match="at most 5000000"):
        read(path)


def test_a_badge_checks_out_the_fullest_ready_camera_and_checks_it_in_again(store, tmp_path):  # noqa: F811
    store, _ = store
    imported(store, tmp_path)
    first = store.db.query(Device).get()
    second = enrol(store, "cam-002", "127.0.0.2", 22, "root", _device_pub(), first.host_key)
    docked(store, first, battery=85)
    docked(store, second, battery=97)
    start = recording(store).started_utc - timedelta(hours=1)
    anna = officer_of_badge(store, "04:a1:b2:c3:d4:e5:f6")
    out = tap(store, anna, start, "badge", RULES)
    assert (out.action, out.device.name) == ("checked-out", "cam-002"), "the fuller battery"
    with pytest.raises(DockError, match=r"moment ago|Eben schon erfasst"):
        tap(store, anna, start + timedelta(seconds=3), "badge", RULES)
    back = tap(store, anna, start + timedelta(hours=8), "badge", RULES)
    assert (back.action, back.device.name) == ("checked-in", "cam-002")
    assert problem(store, second, RULES) == "not-offloaded", "back, but not offloaded since"
    logged = [(e.action, e.subject, e.details.get("why")) for e in actions(store) if e.actor in ("badge", "dock")]
    assert logged == [("checked-out", "cam-002", None), ("dock-refused", "dock", "double-read"),
                      ("checked-in", "cam-002", None)]


@pytest.mark.parametrize("battery, left, why", [(50, 0, "charging"), (95, 2, "recordings-left")])
def test_a_camera_that_is_charging_or_still_holds_recordings_is_not_handed_out(store, tmp_path, battery, left,  # noqa: F811
                                                                               why):
    store, _ = store
    imported(store, tmp_path)
    device = store.db.query(Device).get()
    docked(store, device, battery=battery, left=left)
    assert problem(store, device, RULES) == why
    with pytest.raises(DockError, match=r"No camera is ready|Keine Kamera"):
        tap(store, officer_of_badge(store, "DEADBEEF"), recording(store).started_utc, "badge", RULES)
    assert store.db.query(Assignment).count() == 0
    assert actions(store)[-1].details["why"] == "no-camera-ready"


def test_unknown_revoked_and_inactive_badges_are_refused_and_logged(store, tmp_path):  # noqa: F811
    store, _ = store
    imported(store, tmp_path)
    imported(store, tmp_path, LIST.replace("04A1B2C3D4E5F6;ja", "04A1B2C3D4E5F6;nein").replace("DEADBEEF", ""))
    for uid, said in (("0102030405060708090A", "Unknown badge|Unbekannter Ausweis"),
                      ("DEADBEEF", "revoked|gesperrt"), ("04A1B2C3D4E5F6", "not active|nicht aktiv")):
        with pytest.raises(DockError, match=said):
            officer_of_badge(store, uid)
    assert [e.details["why"] for e in actions(store) if e.action == "dock-refused"] == [
        "unknown-badge", "revoked-badge", "inactive-officer"]


def test_a_recording_names_its_wearer_and_flags_no_or_two_assignments(store, tmp_path):  # noqa: F811
    store, _ = store
    imported(store, tmp_path)
    made = recording(store)
    assert wearer(store, made).state == UNASSIGNED
    anna, ben = (store.db.query(Officer).get(personnel_number=n) for n in ("4711", "4712"))
    hour = timedelta(hours=1)
    store.db.query(Assignment).create(device=made.device, officer=anna, started_at=made.started_utc - hour,
                                      ended_at=made.started_utc, started_by="badge")
    assert wearer(store, made).state == UNASSIGNED, "her shift ended as it began"
    store.db.query(Assignment).create(device=made.device, officer=ben, started_at=made.started_utc - hour,
                                      ended_at=made.started_utc + hour, started_by="badge")
    assert (wearer(store, made).state, wearer(store, made).officer) == (ASSIGNED, ben)
    store.db.query(Assignment).create(device=made.device, officer=anna, started_at=made.started_utc,
                                      started_by="admin")
    assert wearer(store, made).state == OVERLAP


def test_assignments_no_stored_recording_needs_are_deleted_after_the_period_with_a_deletion_line(
        store, tmp_path):  # noqa: F811
    from station.retention import purge_assignments

    store, _ = store
    imported(store, tmp_path)
    made, day = recording(store), timedelta(days=1)
    anna = store.db.query(Officer).get(personnel_number="4711")

    def shift(start, end):
        return store.db.query(Assignment).create(device=made.device, officer=anna, started_at=start, ended_at=end,
                                                 started_by="badge", ended_by="badge")

    worn = shift(made.started_utc - timedelta(hours=1), made.started_utc + timedelta(hours=1))
    empty = shift(made.started_utc - 3 * day, made.started_utc - 3 * day + timedelta(hours=8))
    recent = shift(made.started_utc - day - timedelta(hours=7), made.started_utc - day + timedelta(hours=1))
    running = store.db.query(Assignment).create(device=made.device, officer=anna, started_by="badge",
                                                started_at=made.started_utc - 20 * day)
    at = made.started_utc + 13 * day  # 15.7 days after `empty` ended, 13.96 after `recent`
    assert purge_assignments(store, timedelta(days=14), at, dry_run=True) == 1
    assert store.db.query(Assignment).count() == 4, "a dry run deletes nothing"
    assert purge_assignments(store, timedelta(days=14), at) == 1
    left = set(store.db.query(Assignment).values_list("pk", flat=True))
    assert left == {worn.pk, recent.pk, running.pk}
    lines = [e for e in actions(store) if e.action == "assignment-deleted"]
    assert [(e.subject, e.details["started"]) for e in lines] == [(made.device.name, empty.started_at.isoformat())]
    assert "4711" not in str(lines[0].details) and "Anna" not in str(lines[0].details), "the line names no one"

    assert purge_assignments(store, timedelta(days=14), made.started_utc + 30 * day) == 1, \
        "the recording's own assignment stays while the recording is stored"
    made.deleted_at = made.started_utc + 14 * day
    made.save(using=store.db.alias)
    assert purge_assignments(store, timedelta(days=14), made.started_utc + 30 * day) == 1
    assert list(store.db.query(Assignment).values_list("pk", flat=True)) == [running.pk], "an open one stays"


def test_the_kiosk_locks_a_number_after_five_wrong_pins_until_they_are_15_minutes_old(store, tmp_path):  # noqa: F811
    from station.kiosk import kiosk_officer, pin_hash
    from station.store import now

    store, _ = store
    imported(store, tmp_path, LIST)
    store.db.query(Officer).filter(personnel_number="4711").update(pin=pin_hash("4829"))
    at = now()
    for _ in range(5):
        with pytest.raises(DockError, match="PIN"):
            kiosk_officer(store, "4711", "0000", at, "dock-kiosk")
    with pytest.raises(DockError, match=r"Too many wrong PINs|Zu viele falsche PINs"):
        kiosk_officer(store, "4711", "4829", at, "dock-kiosk")
    assert kiosk_officer(store, "4711", "4829", at + timedelta(minutes=16), "dock-kiosk").name == "Anna Schmidt"


def test_the_dock_answers_each_reader_event_in_german_and_a_tap_ten_seconds_later_is_a_check_in(
        store, tmp_path):  # noqa: F811
    from django.utils import translation

    from station.badge_reader import Event
    from station.dock import handle

    store, _ = store
    imported(store, tmp_path, LIST)
    store.db.query(Device).update(pool=True)
    start = recording(store).started_utc - timedelta(hours=1)
    docked(store, store.db.query(Device).get(), battery=90, at=start - timedelta(hours=1))
    badge = Event("badge", "04A1B2C3D4E5F6", "")
    with translation.override("de"):
        assert handle(store, badge, RULES, start) == "Ausgegeben: cam-001 an Anna Schmidt."
        assert handle(store, badge, RULES, start + timedelta(seconds=9)) == "Eben schon erfasst; nichts geändert."
        assert handle(store, badge, RULES, start + timedelta(seconds=10)) == \
            "Zurückgenommen: cam-001 von Anna Schmidt. Bitte zum Auslesen und Laden ins Dock stecken."
        assert handle(store, Event("unreadable", "", "no UID"), RULES, start) == \
            "Der Ausweis konnte nicht gelesen werden: Bitte erneut flach auf das Lesegerät legen."
        assert handle(store, Event("reader-missing", "", "ACS ACR122U"), RULES, start).startswith(
            "Das Lesegerät fehlt: Bitte anschließen; bis dahin Ausgabe und Rücknahme am Terminal")
        assert handle(store, Event("reader-back", "", "ACS ACR122U"), RULES, start) == "Das Lesegerät ist wieder da."
    logged = [(e.action, e.details.get("why", e.details.get("reader", ""))) for e in actions(store)
              if e.action.startswith(("dock", "checked"))]
    assert logged == [("checked-out", ""), ("dock-refused", "double-read"), ("checked-in", ""),
                      ("dock-refused", "unreadable-badge"), ("dock-reader-missing", "ACS ACR122U"),
                      ("dock-reader-back", "ACS ACR122U")]
