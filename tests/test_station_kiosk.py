"""The kiosk on the dock's screen: personnel number and kiosk PIN check a camera out or in as a badge
does, for the kiosk account only; a wrong PIN is a custody line (never the PIN), and guessing locks the
number, then the kiosk, for 15 minutes. Through Django's test client."""

from __future__ import annotations

from datetime import timedelta

import pytest

from station.kiosk import pin_hash

PIN = "482913"


@pytest.fixture
def anna(web):
    from django.utils import timezone

    from station.models import Device, Officer, OffloadRun

    Device.objects.filter(pk=web.device.pk).update(pool=True)
    at = timezone.now() - timedelta(hours=1)
    OffloadRun.objects.create(device=web.device, started_at=at, finished_at=at, outcome="ok", battery_percent=95,
                              on_camera=0)
    return Officer.objects.create(personnel_number="4711", name="Anna Berg", pin=pin_hash(PIN))


def tried(web, number: str, pin: str, status: int = 200) -> str:
    response = web.client("dock-kiosk").post("/dock/kiosk/", {"number": number, "pin": pin})
    assert response.status_code == status, response.content.decode()[:2000]
    return response.content.decode()


def refusals(web) -> list[tuple[str, str, str]]:
    from station.models import CustodyEntry

    return [(e.actor, e.details["why"], e.details.get("officer", ""))
            for e in CustodyEntry.objects.filter(action="dock-refused", subject="kiosk").order_by("seq")]


def test_an_officer_checks_a_camera_out_and_in_with_personnel_number_and_pin(web, anna):
    from station.models import Assignment

    page = tried(web, "4711", PIN)
    assert "Ausgegeben: cam-01 an Anna Berg." in page and PIN not in page
    shift = Assignment.objects.get()
    assert (shift.officer, shift.started_by, shift.ended_at) == (anna, "kiosk", None)
    assert ("kiosk", "checked-out", "cam-01") in web.custody()
    assert ("kiosk", "camera-not-told", "cam-01") in web.custody(), "no camera answers at 127.0.0.1:22"
    Assignment.objects.update(started_at=shift.started_at - timedelta(hours=8))
    assert "Zurückgenommen: cam-01 von Anna Berg." in tried(web, "4711", PIN)
    assert Assignment.objects.get().ended_by == "kiosk"


def test_a_wrong_pin_or_an_unknown_number_is_refused_alike_and_logged_without_the_pin(web, anna):
    assert "Personalnummer oder PIN ist falsch." in tried(web, "4711", "000000", status=400)
    assert "Personalnummer oder PIN ist falsch." in tried(web, "9999", PIN, status=400)
    assert refusals(web) == [("dock-kiosk", "wrong-pin", "4711"), ("dock-kiosk", "unknown-number", "9999")]
    from station.models import Assignment, CustodyEntry

    assert not Assignment.objects.exists()
    assert not [e for e in CustodyEntry.objects.all() if PIN in str(e.details) or "000000" in str(e.details)]


def test_five_wrong_pins_lock_that_number_even_for_the_right_pin_and_not_another(web, anna):
    from station.models import Officer

    Officer.objects.create(personnel_number="4712", name="Ben Kaya", pin=pin_hash("1111"))
    for _ in range(5):
        tried(web, "4711", "0000", status=400)
    assert "Zu viele falsche PINs für diese Personalnummer" in tried(web, "4711", PIN, status=400)
    assert refusals(web)[-1][1] == "pin-locked"
    assert "Ausgegeben: cam-01 an Ben Kaya." in tried(web, "4712", "1111")


def test_four_wrong_pins_do_not_lock_and_a_lock_ends_once_the_failures_are_15_minutes_old(web, anna):
    from station.models import Assignment, CustodyEntry

    for _ in range(4):
        tried(web, "4711", "0000", status=400)
    assert "Ausgegeben: cam-01 an Anna Berg." in tried(web, "4711", PIN)
    Assignment.objects.all().delete()
    tried(web, "4711", "0000", status=400)
    assert "Zu viele falsche PINs" in tried(web, "4711", PIN, status=400)
    for entry in CustodyEntry.objects.filter(action="dock-refused"):  # append-only: only its clock moved, here
        CustodyEntry.objects.filter(pk=entry.pk).update(utc=entry.utc - timedelta(minutes=15, seconds=30))
    assert "Ausgegeben: cam-01 an Anna Berg." in tried(web, "4711", PIN)


def test_twenty_failed_tries_lock_the_kiosk_for_everyone_nineteen_do_not(web, anna):
    for n in range(19):
        tried(web, f"{9000 + n}", PIN, status=400)
    assert "Personalnummer oder PIN ist falsch." in tried(web, "9999", PIN, status=400)
    assert "Zu viele Fehlversuche an diesem Terminal" in tried(web, "4711", PIN, status=400)
    assert refusals(web)[-1][1] == "kiosk-locked"


def test_an_officer_without_a_pin_or_no_longer_active_is_told_why(web, anna):
    from station.models import Officer

    Officer.objects.create(personnel_number="4712", name="Ben Kaya")
    assert "keine Terminal-PIN hinterlegt" in tried(web, "4712", "1234", status=400)
    Officer.objects.filter(pk=anna.pk).update(active=False)
    assert "Anna Berg ist in der Personalliste nicht aktiv." in tried(web, "4711", PIN, status=400)
    assert [why for _, why, _ in refusals(web)] == ["no-pin", "inactive-officer"]


def test_a_form_without_a_pin_names_the_field_and_tries_nothing(web, anna):
    page = tried(web, "4711", "", status=400)
    assert 'name="pin"' in page and "Dieses Feld ist zwingend erforderlich." in page
    assert refusals(web) == []


def test_only_the_kiosk_account_opens_the_kiosk_and_it_opens_nothing_else(web, anna):
    for role in ("evidence-officer", "data-protection", "case-worker", "admin"):
        assert web.client(role).get("/dock/kiosk/").status_code == 403, role
    kiosk = web.client("dock-kiosk")
    page = kiosk.get("/dock/kiosk/").content.decode()
    assert 'name="number"' in page and 'href="/recordings/"' not in page, "no office navigation on the kiosk"
    for path in ("/recordings/", "/dock/", "/custody/", f"/recordings/{web.recording.pk}/"):
        assert kiosk.get(path).status_code == 403, path
