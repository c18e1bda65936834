"""The web application in a real browser: Debian's Chromium driven by Playwright, against the real
server (``bodycam station serve``, gunicorn). Set BODYCAM_SCREENSHOTS=DIR to keep a picture of each page
(docs/img/station-*.png are made this way)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.recordings import record, short_config
from tests.sshd import free_port
from tests.web import PASSWORD, serve

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = os.environ.get("BODYCAM_SCREENSHOTS")


MARKED = "0 press display\n3 press record\n7 press record\n12 hold record 3\n20 end\n"
"""The shared recorded camera's scenario with a marker at 7 s, for the player's marker list."""


@pytest.fixture(scope="module")
def camera(tmp_path_factory):
    data = tmp_path_factory.mktemp("browser-camera") / "data"
    record(data, MARKED, short_config())
    return data


@pytest.fixture(scope="module")
def server(camera, tmp_path_factory):
    root = tmp_path_factory.mktemp("browser") / "store"
    serve(camera, root).store.db.close()
    with running_server(root, camera) as url:
        yield url


@contextlib.contextmanager
def running_server(root: Path, camera: Path) -> Iterator[str]:
    """``bodycam station serve`` on the store at ``root``, until the block ends; its address."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "office.cli", "station", "serve", "--store", str(root), "--bind", f"127.0.0.1:{port}",
         "--agency-key", str(camera / "keys" / "agency.key"), "--workers", "2"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError(f"the server did not start: {process.communicate()[0].decode()[-2000:]}") from None
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def browser(server):  # the store is made before Playwright runs its event loop in this thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM),
                                              args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
        yield chromium
        chromium.close()


@pytest.fixture
def as_user(browser, server):
    """A logged-in page per call; at the end, no page may have been refused anything by the station's
    Content-Security-Policy (an inline script or style would be, and would not work)."""
    pages, refused = [], []

    def login(user: str):
        page = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
        page.on("console", lambda message: refused.append(message.text)
                if "Content Security Policy" in message.text else None)
        page.set_default_timeout(20_000)
        page.goto(f"{server}/login/")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", PASSWORD)
        page.click("main button")
        page.wait_for_url(f"{server}/recordings/")
        pages.append(page)
        return page

    yield login
    for page in pages:
        page.context.close()
    assert refused == []


def shows(page, *texts: str) -> None:
    """Wait until the page that a click leads to shows each text: reading ``content()`` right after a
    click can catch the page between the form's POST and the redirect's answer, empty."""
    from playwright.sync_api import expect

    for text in texts:
        expect(page.locator("body")).to_contain_text(text)


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=str(Path(SHOTS) / f"station-{name}.png"), full_page=True)


@pytest.mark.parametrize("role", ["case-worker", "approver", "evidence-officer", "data-protection", "admin"])
def test_each_role_logs_in_and_sees_its_menu(as_user, role):
    page = as_user(role)
    assert page.locator("header .who span").inner_text() == role
    menu = page.locator("header nav").inner_text()
    assert ("Verwahrungsprotokoll" in menu) == (role in ("data-protection", "admin"))
    assert ("Quarantäne" in menu) == (role == "evidence-officer")


def test_the_language_menu_switches_to_english_and_back(as_user):
    page = as_user("case-worker")
    page.select_option("form.lang select", "en")
    page.wait_for_selector("text=Recordings")
    assert page.locator("html").get_attribute("lang") == "en"
    page.select_option("form.lang select", "de")
    page.wait_for_selector("text=Aufnahmen")


def test_request_approve_and_play_in_the_browser(as_user, server):
    case_worker = as_user("case-worker")
    case_worker.click("table tbody a")
    shot(case_worker, "recording")
    case_worker.fill("textarea[name=purpose]", "Anzeige wegen Beleidigung: Ablauf prüfen")
    case_worker.fill("input[name=case_number]", "OA-2026-0815")
    case_worker.click("text=Antrag stellen")
    shows(case_worker, "wartet auf Entscheidung")

    approver = as_user("approver")
    approver.goto(f"{server}/requests/")
    shot(approver, "requests")
    approver.click("button[value=approve]")
    shows(approver, "Sichtungsfenster ist offen")

    case_worker.goto(f"{server}/requests/")
    case_worker.click("text=genehmigt: abspielen")
    video = case_worker.locator("video")
    video.evaluate("v => { v.muted = true; return v.play(); }")
    case_worker.wait_for_function("() => document.querySelector('video').currentTime > 1.0")
    drawn = case_worker.evaluate("""() => {
        const v = document.querySelector('video');
        const c = document.createElement('canvas');
        c.width = v.videoWidth; c.height = v.videoHeight;
        const g = c.getContext('2d');
        g.drawImage(v, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        let lit = 0;
        for (let i = 0; i < d.length; i += 4) lit += (d[i] + d[i + 1] + d[i + 2]) > 60;
        return [v.videoWidth, lit / (d.length / 4)];
    }""")
    assert drawn[0] > 0 and drawn[1] > 0.3, drawn  # a real picture: most of the frame is lit
    assert "OA-2026-0815" in case_worker.locator(".watermark").inner_text()
    case_worker.evaluate("document.querySelector('video').pause()")
    case_worker.locator("[data-seek]").first.click()  # the marker at 7 s: 6.0 s into the recording
    case_worker.wait_for_function("() => Math.abs(document.querySelector('video').currentTime - 6.0) < 0.5")
    shot(case_worker, "playback")


def test_hold_and_release_in_the_browser(as_user):
    officer = as_user("evidence-officer")
    officer.click("table tbody a")
    officer.fill("form[action$='/hold/'] input[name=reason]", "Ermittlungsverfahren")
    officer.fill("form[action$='/hold/'] input[name=case_number]", "StA 12 Js 345/26")
    officer.click("text=Löschsperre setzen")
    shows(officer, "gesperrt und wird nicht gelöscht")
    officer.goto(officer.url.split("/recordings/")[0] + "/recordings/")
    assert "StA 12 Js 345/26" in officer.locator("table").inner_text()
    shot(officer, "recordings")
    officer.click("table tbody a")
    officer.fill("form[action$='/release/'] input[name=reason]", "Verfahren eingestellt")
    officer.click("text=Löschsperre aufheben")
    shows(officer, "Speicherfrist gilt wieder")


def test_a_case_is_opened_and_a_recording_attached_in_the_browser(as_user, server):
    officer = as_user("evidence-officer")
    officer.goto(f"{server}/cases/")
    officer.fill("input[name=reference]", "OA 4711/2026")
    officer.select_option("select[name=kind]", "strafanzeige")
    officer.click("text=Vorgang anlegen >> nth=-1")
    shows(officer, "Strafanzeige", "offen")
    officer.goto(f"{server}/recordings/")
    officer.click("table tbody a")
    officer.fill("form[action$='/cases/'] input[name=reference]", "OA 4711/2026")
    officer.click("text=Vorgang zuordnen")
    shows(officer, "dem Vorgang OA 4711/2026 zugeordnet")
    officer.goto(f"{server}/recordings/")
    shows(officer, "solange Vorgang OA 4711/2026 offen ist")  # the list says why it outlives the 14 days
    officer.click("table tbody a")
    officer.click("text=OA 4711/2026 >> nth=-1")
    officer.wait_for_url(f"{server}/cases/*/")
    shows(officer, "cam-01")
    shot(officer, "case")


UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
    .filter(e => e.type !== 'hidden' && !e.labels.length && !e.getAttribute('aria-label'))
    .map(e => e.name)"""


@pytest.mark.parametrize("role", ["evidence-officer", "approver", "data-protection", "admin"])
def test_every_input_on_every_page_has_a_label_a_screen_reader_reads(as_user, server, role):
    page = as_user(role)
    page.click("table tbody a")
    pages = [page.url] + [f"{server}{path}" for path in ("/recordings/", "/cases/", "/requests/", "/devices/",
                                                          "/statistics/", "/custody/", "/deletions/", "/quarantine/",
                                                          "/handovers/")]
    for url in pages:
        if page.goto(url).status == 200:
            assert page.evaluate(UNLABELLED) == [], url
            assert page.locator("p.help").count() == 1, f"{url}: the legal frame in two sentences"


def test_a_request_is_made_and_approved_with_the_keyboard_alone(as_user, server):
    def tab_to(page, selector: str) -> None:
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate(f"() => document.activeElement.matches({selector!r})"):
                return
        raise AssertionError(f"Tab never reached {selector}")

    worker = as_user("case-worker-2")
    worker.click("table tbody a")
    tab_to(worker, "textarea[name=purpose]")
    worker.keyboard.type("Beschwerde prüfen")
    tab_to(worker, "input[name=case_number]")
    worker.keyboard.type("OA-77")
    worker.keyboard.press("Enter")
    worker.wait_for_url(f"{server}/requests/")
    approver = as_user("approver")
    approver.goto(f"{server}/requests/")
    tab_to(approver, "button[value=approve]")
    approver.keyboard.press("Enter")
    approver.wait_for_selector("text=Sichtungsfenster ist offen")
    worker.goto(f"{server}/requests/")
    tab_to(worker, "form[action$='/play/'] button")
    worker.keyboard.press("Enter")
    worker.wait_for_selector("video")


def test_the_statistics_page_draws_its_charts(as_user, server):
    page = as_user("case-worker")
    page.goto(f"{server}/statistics/")
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    for index in range(3):
        box = charts.nth(index).bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 50
    assert page.locator("svg.chart rect").count() >= 3
    shot(page, "statistics")


def test_the_logs_and_devices_pages_for_the_data_protection_officer(as_user, server):
    page = as_user("data-protection")
    page.goto(f"{server}/custody/")
    shows(page, "unversehrt")
    shot(page, "custody")
    page.goto(f"{server}/devices/")
    shows(page, "cam-01")
    shot(page, "devices")

