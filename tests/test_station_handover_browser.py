"""The hand-over in Debian's Chromium, against the real server: an evidence officer opens a case, attaches
two recordings and makes a package; the recipient, in a browser of their own without an account, opens
the link with the one-time code, downloads the package and checks its manifest; after expiry the link is
refused. Set BODYCAM_SCREENSHOTS=DIR for docs/img/station-handover*.png."""

from __future__ import annotations

import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest

from tests.recordings import record, short_config
from tests.test_station_browser import as_user, browser, running_server, shot, shows  # noqa: F401 - fixtures
from tests.test_station_handover import TWO
from tests.web import serve


@pytest.fixture(scope="module")
def store_root(tmp_path_factory):
    """A store with the two-recording camera, the evidence officer's approved viewing windows for both
    (the request flow has browser tests of its own) and a registered police station."""
    from django.contrib.auth.models import User
    from django.utils import timezone

    from station.models import Recipient, Recording, ViewRequest

    camera = tmp_path_factory.mktemp("handover-camera") / "data"
    record(camera, TWO, short_config())
    root = tmp_path_factory.mktemp("handover") / "store"
    web = serve(camera, root)
    officer, approver = (web.store.db.query(User).get(username=name) for name in ("evidence-officer", "approver"))
    now = timezone.now()
    for recording in web.store.db.query(Recording):
        web.store.db.query(ViewRequest).create(
            recording=recording, requester=officer, purpose="Übergabe an die Polizei", case_number="StA 12 Js 99/26",
            created_at=now, status=ViewRequest.APPROVED, decided_by=approver, decided_at=now,
            window_until=now + timedelta(days=1))
    web.store.db.query(Recipient).create(name="Polizeipräsidium Duisburg", kind=Recipient.POLICE,
                                         contact="kk11@polizei.nrw.de")
    web.store.db.close()
    return root, camera


@pytest.fixture(scope="module")
def server(store_root):
    with running_server(*store_root) as url:
        yield url


def test_a_case_is_handed_over_to_the_police_who_download_and_check_it_until_it_expires(
        as_user, browser, server, store_root, tmp_path):  # noqa: F811
    officer = as_user("evidence-officer")
    officer.goto(f"{server}/cases/")
    officer.fill("input[name=reference]", "StA 12 Js 99/26")
    officer.select_option("select[name=kind]", "strafanzeige")
    officer.click("text=Vorgang anlegen >> nth=-1")
    officer.wait_for_url(f"{server}/cases/*/")
    case_page = officer.url
    for row in (0, 1):
        officer.goto(f"{server}/recordings/")
        officer.locator("table tbody a").nth(row).click()
        officer.fill("form[action$='/cases/'] input[name=reference]", "StA 12 Js 99/26")
        officer.click("text=Vorgang zuordnen")
        shows(officer, "dem Vorgang StA 12 Js 99/26 zugeordnet")
    officer.goto(case_page)
    officer.click("text=Aufnahmen übergeben")
    officer.select_option("select[name=recipient]", label="Polizeipräsidium Duisburg")
    for box in range(2):
        officer.locator("input[name=recordings]").nth(box).check()
    shot(officer, "handover-new")
    officer.click("text=Paket erstellen")
    shows(officer, "ist bereit")
    link, code = officer.locator("#handover-link").inner_text(), officer.locator("#handover-code").inner_text()
    shot(officer, "handover")

    police = browser.new_context(accept_downloads=True, locale="de-DE").new_page()
    police.goto(link)
    police.fill("input[name=code]", code)
    police.click("main button")
    shows(police, "Paket herunterladen")
    shot(police, "handover-pickup")
    with police.expect_download() as download:
        police.click("text=Paket herunterladen")
    unpacked = tmp_path / "paket"
    with zipfile.ZipFile(download.value.path()) as package:
        package.extractall(unpacked)
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=unpacked, capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr  # as the pickup page tells the police to
    assert checked.stdout.count(".mp4: OK") == 2 and "uebergabeprotokoll.pdf: OK" in checked.stdout

    officer.goto(f"{server}/handovers/")
    shows(officer, "Polizeipräsidium Duisburg", "zum Abruf bereit")
    shot(officer, "handovers")
    _expire(store_root[0])
    assert police.goto(link).status == 410
    shows(police, "abgelaufen")
    police.context.close()


def _expire(root) -> None:
    """Time passes: the link's day is over (the server reads the same store). In a thread of its own, as
    Django's database calls refuse Playwright's event loop."""
    with ThreadPoolExecutor(1) as thread:
        thread.submit(_expire_now, root).result()


def _expire_now(root) -> None:
    from django.utils import timezone

    from station.models import Handover
    from station.store import Store

    store = Store.open(root)
    store.db.query(Handover).update(expires_at=timezone.now() - timedelta(seconds=1))
    store.db.close()
