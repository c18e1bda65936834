"""The control room's page (Leitstelle) through Django's test client: the cameras' last words and the open
alerts as the page's script reads them, an acknowledgement as a custody line, and nobody else's access;
then in Debian's Chromium, the alert shown within a second of its arrival (BODYCAM_SCREENSHOTS=DIR for
docs/img/station-control-room.png)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest

from tests.test_station_browser import browser, camera, running_server, shot  # noqa: F401
from tests.web import PASSWORD, serve

EVENT = {"camera": "cam-01", "type": "recording-started", "utc": "2026-12-06T09:00:00.000+00:00",
         "wearer": None, "battery": 61.5, "position": None, "reason": "imminent-danger"}


LOW = {"camera": "cam-01", "type": "battery-low", "utc": "2026-12-06T09:00:00.000+00:00", "wearer": None,
       "battery": 14.0, "position": None}


def said(store, channel: str, **message: object) -> None:
    from station.control_room import take

    assert take(store, f"bodycam/cam-01/{channel}", json.dumps(message).encode(), datetime.now(UTC)) is None


def state(web) -> dict:
    response = web.client("control-room").get("/control-room/state/")
    assert response.status_code == 200
    return response.json()


def test_the_page_reads_each_cameras_last_word_and_the_open_alerts(web):
    assert state(web)["cameras"][0] == {"camera": "cam-01", "online": False, "stage": "", "battery": None,
                                        "seen": None, "warning": "", "warned": None}
    said(web.store, "online", camera="cam-01", online=True)
    said(web.store, "event", **{**EVENT, "type": "stage", "from": "worn", "to": "recording", "reason": "hold"})
    said(web.store, "event", **EVENT)
    said(web.store, "event", **{**EVENT, "reason": "announced"})  # announced: no alarm
    now = state(web)
    assert now["cameras"][0]["online"] is True and now["cameras"][0]["stage"] == "recording"
    assert now["cameras"][0]["battery"] == 61.5 and now["cameras"][0]["warning"] == ""
    (alert,) = now["alerts"]
    assert alert["camera"] == "cam-01" and alert["utc"].startswith("2026-12-06T09:00:00")
    assert alert["age_s"] >= 0, "a camera's clock ahead of the station's shows no negative age"


def test_the_page_shows_each_cameras_last_warning_with_its_time(web):
    said(web.store, "event", **{**LOW, "utc": "2026-12-06T09:10:00.000+00:00"})
    said(web.store, "event", **{**LOW, "type": "storage-full", "utc": "2026-12-06T09:20:00.000+00:00"})
    said(web.store, "event", **{**LOW, "type": "stage", "to": "display", "utc": "2026-12-06T09:21:00.000+00:00"})
    shown = state(web)["cameras"][0]
    assert shown["warning"] == "storage-full" and shown["warned"].startswith("2026-12-06T09:20:00")
    assert shown["battery"] == 14.0


def test_an_alert_acknowledged_leaves_the_page_and_is_a_custody_line(web):
    from station.models import ControlRoomMessage

    said(web.store, "event", **EVENT)
    alert = ControlRoomMessage.objects.get()
    client = web.client("control-room")
    assert client.get(f"/control-room/{alert.pk}/acknowledge/").status_code == 405
    assert client.post(f"/control-room/{alert.pk}/acknowledge/").status_code == 302
    assert state(web)["alerts"] == []
    assert ("control-room", "alert-acknowledged", "cam-01") in web.custody()
    assert client.post("/control-room/99999/acknowledge/").status_code == 404


@pytest.mark.parametrize("user", ["case-worker", "evidence-officer", "data-protection", "admin", "dock-kiosk"])
def test_only_the_control_room_sees_its_page(web, user):
    for path in ("/control-room/", "/control-room/state/"):
        assert web.client(user).get(path).status_code == 403, path


def test_the_control_room_sees_nothing_of_the_evidence_office(web):
    client = web.client("control-room")
    page = client.get("/control-room/").content.decode()
    assert "Leitstelle" in page and 'href="/recordings/"' not in page
    for path in ("/recordings/", "/dock/", "/custody/", "/devices/"):
        assert client.get(path).status_code == 403, path
    assert ("control-room", "control-room-viewed", "control room") in web.custody()


@pytest.fixture(scope="module")
def server(camera, tmp_path_factory):  # noqa: F811
    root = tmp_path_factory.mktemp("control-room") / "store"
    serve(camera, root).store.db.close()
    with running_server(root, camera) as url:
        yield url, root


def test_an_alert_shows_on_the_open_page_within_a_second_and_is_acknowledged_there(browser, server):  # noqa: F811
    from concurrent.futures import ThreadPoolExecutor

    from playwright.sync_api import expect

    from station.store import Store

    url, root = server
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", "control-room")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button")
    page.wait_for_url(f"{url}/control-room/")
    page.click("#sound")
    expect(page.locator("tr[data-camera=cam-01]")).to_contain_text("nicht verbunden")

    def arrives() -> None:
        store = Store.open(root)
        try:
            said(store, "event", **{**LOW, "utc": datetime.now(UTC).isoformat()})
            said(store, "event", **{**EVENT, "utc": datetime.now(UTC).isoformat()})
        finally:
            store.db.close()

    with ThreadPoolExecutor(1) as thread:  # Django refuses Playwright's event loop: the store from a thread
        thread.submit(arrives).result()
    banner = page.locator("form.alert[data-camera=cam-01]")
    expect(banner).to_be_visible(timeout=1000)
    expect(banner).to_contain_text(re.compile(r"Aufnahme bei unmittelbarer Gefahr: cam-01 \([0-9] s her\)"))
    expect(page.locator("tr[data-camera=cam-01]")).to_contain_text("Akku schwach")
    shot(page, "control-room")
    banner.locator("button").click()
    expect(banner).to_have_count(0, timeout=5000)
    page.context.close()
