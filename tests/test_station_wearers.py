"""Who wore the camera, in the evidence office's pages: the recordings list and a recording's page name
the wearer (or say unassigned) for the evidence office and data protection only; both search by officer
and team, and each search is a custody line for the person searched. Through Django's test client."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest


def assign(web, officer, start_offset: timedelta = timedelta(minutes=-1), ended: bool = False):
    from station.models import Assignment

    start = web.recording.started_utc + start_offset
    return Assignment.objects.create(device=web.device, officer=officer, mode=Assignment.POOL, started_at=start,
                                     started_by="badge", ended_at=start + timedelta(hours=8) if ended else None)


@pytest.fixture
def anna(web):
    from station.models import Officer

    officer = Officer.objects.create(personnel_number="4711", name="Anna Berg", team="KOD Mitte")
    assign(web, officer)
    return officer


@pytest.fixture
def ben(web):
    from station.models import Officer

    return Officer.objects.create(personnel_number="0815", name="Ben Kaya", team="KOD Nord")


def page(web, user: str, path: str, status: int = 200) -> str:
    response = web.client(user).get(path)
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


@pytest.mark.parametrize("user", ["evidence-officer", "data-protection"])
def test_the_evidence_office_sees_the_wearer_in_the_list_and_on_the_recording(web, anna, user):
    assert "Anna Berg (4711)" in page(web, user, "/recordings/")
    assert "Anna Berg (4711)" in page(web, user, f"/recordings/{web.recording.pk}/")


@pytest.mark.parametrize("user", ["case-worker", "approver", "admin"])
def test_other_roles_never_see_the_wearer_nor_search_by_officer(web, anna, user):
    listed = page(web, user, f"/recordings/?officer={anna.pk}&team=KOD+Mitte")
    assert "Anna Berg" not in listed and "Getragen von" not in listed and 'name="officer"' not in listed
    assert web.recording.recording_id in page(web, user, f"/recordings/{web.recording.pk}/")
    assert "Anna Berg" not in page(web, user, f"/recordings/{web.recording.pk}/")
    assert [line for line in web.custody() if line[1] == "wearer-searched"] == []


def test_a_recording_nobody_was_assigned_says_unassigned(web, ben):
    assign(web, ben, start_offset=timedelta(minutes=5))  # checked out after the recording began
    assert "nicht zugeordnet" in page(web, "evidence-officer", "/recordings/")
    assert "nicht zugeordnet" in page(web, "evidence-officer", f"/recordings/{web.recording.pk}/")


def test_two_assignments_at_the_start_are_flagged_unclear(web, anna, ben):
    assign(web, ben, start_offset=timedelta(seconds=-1))
    cells = re.findall(r'<td class="wearer">(.*?)</td>', page(web, "evidence-officer", "/recordings/"), re.S)
    assert len(cells) == 1 and "unklar: zwei Zuordnungen" in cells[0] and "Anna Berg" not in cells[0]


def word(web, said: str | None) -> str:
    """The recording page's line for the camera's own word, once the camera's log said ``said``."""
    from station.models import Recording

    Recording.objects.filter(pk=web.recording.pk).update(camera_wearer=said)
    found = re.search(r'<dd class="camera-word">(.*?)</dd>', page(web, "evidence-officer",
                                                                 f"/recordings/{web.recording.pk}/"), re.S)
    assert found is not None
    return found.group(1)


def test_the_recording_page_shows_whether_the_cameras_signed_log_confirms_the_wearer(web, anna, ben):
    assert "bestätigt durch das signierte Protokoll der Kamera" in word(web, anna.pseudonym)
    assert "keine: Der Kamera war keine Zuordnung übermittelt worden" in word(web, None)
    assert "Abweichung" not in page(web, "evidence-officer", "/recordings/")
    assert "Abweichung: Das signierte Protokoll der Kamera nennt Ben Kaya (0815)" in word(web, ben.pseudonym)
    assert "Kamera widerspricht" in page(web, "evidence-officer", "/recordings/"), "flagged in the list too"
    assert "niemanden (zurückgenommen)" in word(web, "")
    assert "ein Pseudonym, das die Station nicht kennt" in word(web, "00000000000000aa")


def test_a_recording_nobody_was_assigned_is_confirmed_only_by_a_camera_that_was_told_nobody(web, ben):
    assert "bestätigt" in word(web, "")
    assert "Abweichung" in word(web, ben.pseudonym)


def test_searching_by_officer_or_team_finds_their_recordings_and_is_a_custody_line(web, anna, ben):
    user, link = "evidence-officer", f'href="/recordings/{web.recording.pk}/"'
    assert link in page(web, user, f"/recordings/?officer={anna.pk}")
    assert link not in page(web, user, f"/recordings/?officer={ben.pk}")
    assert link in page(web, user, "/recordings/?team=KOD+Mitte")
    assert link not in page(web, user, "/recordings/?team=KOD+Nord")
    searched = [(actor, subject) for actor, action, subject in web.custody() if action == "wearer-searched"]
    assert searched == [(user, "officer 4711"), (user, "officer 0815"), (user, "team KOD Mitte"),
                        (user, "team KOD Nord")]


@pytest.mark.parametrize("query", ["officer=99999", "officer=abc", "team=Nicht+vorhanden",
                                   "officer=" + "9" * 500])
def test_a_search_for_an_officer_or_team_that_does_not_exist_is_a_400_naming_the_field(web, anna, query):
    listed = page(web, "evidence-officer", f"/recordings/?{query}", status=400)
    assert "Filter prüfen" in listed or "Check the filter" in listed
    assert [line for line in web.custody() if line[1] == "wearer-searched"] == []


def offloaded(web, battery: float, ago: timedelta = timedelta(minutes=10), left: int = 0):
    from django.utils import timezone

    from station.models import OffloadRun

    started = timezone.now() - ago
    return OffloadRun.objects.create(device=web.device, started_at=started, finished_at=started, outcome="ok",
                                     battery_percent=battery, on_camera=left)


def dock_row(web, user: str = "evidence-officer") -> str:
    rows = re.findall(r'<tr class="(\w*)" data-camera="cam-01">(.*?)</tr>', page(web, user, "/dock/"), re.S)
    assert len(rows) == 1, rows
    return " ".join(rows[0])


def test_the_dock_page_says_whether_a_pool_camera_is_ready_charging_or_waiting_for_its_offload(web):
    web.device.pool = True
    web.device.save()
    assert "wartet aufs Auslesen" in dock_row(web)
    offloaded(web, battery=40)
    assert "lädt" in dock_row(web) and "40 %" in dock_row(web)
    offloaded(web, battery=95, ago=timedelta(minutes=1), left=2)
    assert "noch Aufnahmen auf der Kamera" in dock_row(web)
    offloaded(web, battery=96, ago=timedelta(seconds=30))
    assert dock_row(web).startswith("ready ") and "bereit zur Ausgabe" in dock_row(web)
    assert ("data-protection", "dock-viewed", "dock") in (page(web, "data-protection", "/dock/") and web.custody())


def test_the_dock_page_shows_who_has_a_camera_since_when_and_highlights_an_overdue_return(web, ben):
    from django.utils import timezone

    from station.models import Assignment

    web.device.pool = True
    web.device.save()
    Assignment.objects.create(device=web.device, officer=ben, started_at=timezone.now() - timedelta(hours=11),
                              started_by="badge")
    row = dock_row(web)
    assert "Ben Kaya (0815)" in row and "ausgegeben" in row and not row.startswith("overdue")
    Assignment.objects.update(started_at=timezone.now() - timedelta(hours=13))
    assert dock_row(web).startswith("overdue ") and "überfällig" in dock_row(web)


@pytest.mark.parametrize("user", ["case-worker", "approver"])
def test_the_dock_page_is_refused_to_roles_that_may_not_see_who_wore_a_camera(web, user):
    page(web, user, "/dock/", status=403)


def test_the_shift_history_in_the_custody_log_is_for_data_protection_not_the_administrator(web, anna, ben):
    from django.utils import timezone

    from station.badge_reader import Event
    from station.dock import Rules, handle
    from station.models import Badge
    from station.web.access import SHIFT_ACTIONS

    Badge.objects.create(uid="04A1B2C3D4E5F6", officer=ben, added_at=web.recording.started_utc)
    assert "Keine Kamera bereit" in handle(web.store, Event("badge", "04A1B2C3D4E5F6", ""), Rules(), timezone.now())
    page(web, "evidence-officer", f"/recordings/?officer={anna.pk}")
    shown = {role: page(web, role, "/custody/") + page(web, role, "/custody/?format=csv")
             for role in ("data-protection", "admin")}
    assert "wearer-searched" in shown["data-protection"] and "dock-refused" in shown["data-protection"]
    assert "officer 4711" in shown["data-protection"] and "0815" in shown["data-protection"]
    assert not [action for action in SHIFT_ACTIONS if action in shown["admin"]]
    assert "officer 4711" not in shown["admin"] and "0815" not in shown["admin"]


def test_the_hand_over_words_for_each_wearer_and_each_camera_word(web):
    from station.attribution import AGREES, ASSIGNED, DISAGREES, OVERLAP, UNASSIGNED, Wearer
    from station.models import Officer

    anna, ben = Officer(personnel_number="4711", name="Anna Berg"), Officer(personnel_number="0815", name="Ben Kaya")
    assert Wearer(anna, ASSIGNED).german() == "Anna Berg (Personalnummer 4711)"
    assert Wearer(None, OVERLAP).german().startswith("unklar: die Kamera war zu Beginn der Aufnahme mehreren")
    assert Wearer(None, UNASSIGNED).german().startswith("nicht zugeordnet: die Kamera war zu Beginn")
    assert Wearer(anna, ASSIGNED, AGREES).camera_german() == \
        "von der Kamera bestätigt (signiertes Protokoll der Kamera)"
    assert Wearer(anna, ASSIGNED).camera_german() == "die Kamera hatte keine Zuordnung gemeldet bekommen"
    assert Wearer(anna, ASSIGNED, DISAGREES, ben).camera_german() == \
        "Abweichung: das Protokoll der Kamera nennt Ben Kaya (Personalnummer 0815)"
    assert Wearer(anna, ASSIGNED, DISAGREES).camera_german() == \
        "Abweichung: das Protokoll der Kamera nennt eine andere Zuordnung"


def test_a_page_of_recordings_gets_each_its_own_wearer_from_one_query(web, anna, ben):
    from django.db import connections
    from django.test.utils import CaptureQueriesContext

    from station.attribution import wearers
    from station.models import Assignment, Recording

    first = web.recording
    Assignment.objects.filter(officer=anna).update(ended_at=first.started_utc + timedelta(hours=1))
    later = Recording.objects.get(pk=first.pk)
    later.pk, later.recording_id = None, "20990101T000000Z-0000ffff"
    later.started_utc = first.started_utc + timedelta(hours=10)
    later.save()
    assign(web, ben, start_offset=timedelta(hours=9))  # open, from after the first recording
    with CaptureQueriesContext(connections[web.store.db.alias]) as queries:
        worn = wearers(web.store, [first, later])
    assert (worn[first.pk].officer, worn[later.pk].officer) == (anna, ben)
    assert len(queries) <= 2, "the assignments, and the officers the cameras named"
