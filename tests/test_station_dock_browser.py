"""The dock page and the search by wearer in Debian's Chromium, against the real server: a pool camera
offloaded and charged shows "ready to take"; a badge tap at the dock (the reader's own process, here the
same store from a thread) hands it out and the page, reloading itself, shows with whom since when; the
evidence officer finds the officer's recording with the "Worn by" filter, and data protection reads that
search in the custody log; at the kiosk, the dock's screen, an officer without her badge returns her
camera by personnel number and PIN. Set BODYCAM_SCREENSHOTS=DIR for docs/img/station-dock.png,
station-worn-by.png and station-kiosk.png."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from tests.test_station_browser import as_user, browser, camera, running_server, shot, shows  # noqa: F401
from tests.web import PASSWORD, host_key, serve

KIOSK_PIN = "2468"


@pytest.fixture(scope="module")
def store_root(camera, tmp_path_factory):  # noqa: F811 - the fixture
    """cam-01 in the pool, offloaded and charged; Anna Berg wore it for the recording; Ben Kaya has a badge;
    Clara Nowak has cam-02 out since the morning, and a kiosk PIN."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from station.kiosk import pin_hash
    from station.models import Assignment, Badge, Device, Officer, OffloadRun
    from station.registry import enrol

    root = tmp_path_factory.mktemp("dock") / "store"
    web = serve(camera, root)
    db, start = web.store.db, web.recording.started_utc
    web.device.pool = True
    web.device.save(using=db.alias)
    anna = db.query(Officer).create(personnel_number="4711", name="Anna Berg", team="KOD Mitte")
    ben = db.query(Officer).create(personnel_number="4712", name="Ben Kaya", team="KOD Nord")
    db.query(Badge).create(uid="04A1B2C3D4E5F6", officer=ben, added_at=start)
    db.query(Assignment).create(device=web.device, officer=anna, started_at=start - timedelta(hours=1),
                                ended_at=start + timedelta(hours=1), started_by="badge", ended_by="badge")
    done = datetime.now(UTC) - timedelta(minutes=5)
    db.query(OffloadRun).create(device=web.device, started_at=done, finished_at=done, outcome="ok",
                                battery_percent=97, on_camera=0)
    second = enrol(web.store, "cam-02", "127.0.0.1", 22, "bodycam", ed25519.Ed25519PrivateKey.generate().public_key()
                   .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode(),
                   host_key())
    db.query(Device).filter(pk=second.pk).update(pool=True)
    clara = db.query(Officer).create(personnel_number="4713", name="Clara Nowak", pin=pin_hash(KIOSK_PIN))
    db.query(Assignment).create(device=second, officer=clara, started_at=datetime.now(UTC) - timedelta(hours=7),
                                started_by="badge")
    db.close()
    return root


@pytest.fixture(scope="module")
def server(store_root, camera):  # noqa: F811
    with running_server(store_root, camera) as url:
        yield url


def test_a_badge_tap_hands_out_the_ready_camera_and_the_dock_page_shows_it_by_itself(
        as_user, server, store_root):  # noqa: F811
    page = as_user("evidence-officer")
    page.click("text=Ausgabe und Rücknahme")
    from playwright.sync_api import expect

    row = page.locator("tr[data-camera=cam-01]")
    expect(row).to_contain_text("bereit zur Ausgabe")
    expect(row).to_contain_text("97 %")
    said = _in_thread(_tap, store_root)
    assert said == "Ausgegeben: cam-01 an Ben Kaya."
    expect(row).to_contain_text("Ben Kaya (4712)", timeout=15_000)  # the page reloads itself: nobody clicks
    expect(row).to_contain_text("ausgegeben")
    shot(page, "dock")


def test_the_evidence_officer_finds_recordings_by_wearer_and_data_protection_sees_the_search(
        as_user, server):  # noqa: F811
    officer = as_user("evidence-officer")
    officer.select_option("select[name=officer]", label="Anna Berg (4711)")
    officer.click("main form.filters button")
    shows(officer, "Getragen von", "Anna Berg (4711)", "Aufnahmen: 1")
    shot(officer, "worn-by")
    officer.select_option("select[name=officer]", label="Ben Kaya (4712)")
    officer.click("main form.filters button")
    shows(officer, "Keine Aufnahmen.")
    oversight = as_user("data-protection")
    oversight.goto(f"{server}/custody/?action=wearer-searched")
    shows(oversight, "officer 4711", "officer 4712", "Aufnahmen nach Träger/in gesucht")


def test_without_her_badge_an_officer_returns_her_camera_at_the_kiosk(browser, server):  # noqa: F811
    page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{server}/login/")
    page.fill("input[name=username]", "dock-kiosk")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button")
    page.wait_for_url(f"{server}/dock/kiosk/")  # the dock's screen lands on the kiosk
    assert page.locator("header nav").count() == 0, "no way into the office from the dock's screen"
    page.fill("input[name=number]", "4713")
    page.fill("input[name=pin]", "1357")
    page.click("main form button")
    shows(page, "Personalnummer oder PIN ist falsch.")
    page.fill("input[name=number]", "4713")
    page.fill("input[name=pin]", KIOSK_PIN)
    page.click("main form button")
    shows(page, "Zurückgenommen: cam-02 von Clara Nowak.")
    assert page.input_value("input[name=pin]") == "", "the PIN is never sent back"
    shot(page, "kiosk")
    page.context.close()


def _in_thread(work, *args):
    """Django's database calls refuse Playwright's event loop: the store is used from a thread of its own."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(work, *args).result()


def _tap(root) -> str:
    from station.badge_reader import Event
    from station.dock import Rules, handle
    from station.store import Store

    store = Store.open(root)
    try:
        return handle(store, Event("badge", "04A1B2C3D4E5F6", ""), Rules(), datetime.now(UTC))
    finally:
        store.db.close()
