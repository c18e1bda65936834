"""The evidence office's web application: the recordings list's newest and oldest page with 100,000
recordings (SQLite and PostgreSQL), and the time from opening the player to the first video frame in Chromium."""

from __future__ import annotations

import http.server
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.table import Row
from station.store import Store
from tests.recordings import record, short_config
from tests.sshd import free_port
from tests.web import PASSWORD, host_key, serve, test_environment

ROOT = Path(__file__).resolve().parent.parent
RECORDINGS = 100_000
PAGES = {"newest": {}, "oldest": {"oldest": "1"}}
MINUTE = "0 press display\n1 press record\n62 hold record 3\n70 end\n"


def list_page_ms(root: Path, database_url: str | None, recordings: int) -> dict[str, float]:
    """Median response time of the newest and the oldest page of the recordings list (each with and
    without a filter, alternately), logged in as a case worker."""
    from django.test import Client

    from station.models import Device, Recording
    from station.registry import enrol
    from station.web.app import serve_store
    from station.web.users import add_user

    store = Store.init(root, database_url)
    serve_store(store)
    device = enrol(store, "cam-01", "127.0.0.1", 22, "bodycam", _device_pub(), host_key())
    start = datetime(2026, 1, 1, tzinfo=UTC)
    Recording.objects.bulk_create(
        [Recording(device=device, recording_id=f"2026{i:012d}", started_utc=start + timedelta(minutes=7 * i),
                   reason="announced" if i % 5 else "imminent-danger", duration_s=60.0, segments=1, markers=i % 3,
                   status="ok", files={}, received_at=start, hold_reason="Verfahren" if i % 50 == 0 else "")
         for i in range(recordings)], batch_size=2000)
    _analyse(store)
    add_user(store, "case-worker", ["case-worker"], PASSWORD)
    client = Client()
    client.post("/login/", {"username": "case-worker", "password": PASSWORD})
    assert Device.objects.count() == 1
    times: dict[str, list[float]] = {name: [] for name in PAGES}
    for round_number in range(50):
        for name, query in PAGES.items():
            began = time.perf_counter()
            response = client.get("/recordings/", {**query, **({"reason": "announced"} if round_number % 2 else {})})
            times[name].append((time.perf_counter() - began) * 1000)
            assert response.status_code == 200 and response.context["page"].rows
    store.db.close()
    return {name: statistics.median(measured) for name, measured in times.items()}


def _analyse(store: Store) -> None:
    """Table statistics after the bulk insert, as autovacuum (PostgreSQL) or ``PRAGMA optimize`` (SQLite)
    keeps them on a station that received its recordings one by one."""
    from django.db import connections

    with connections[store.db.alias].cursor() as cursor:
        cursor.execute("ANALYZE")


def _device_pub() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    return ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


FIRST_FRAME = """() => new Promise(resolve => {
    const v = document.querySelector('video');
    v.muted = true;
    v.requestVideoFrameCallback(() => resolve(performance.now()));
    v.play();
})"""


def first_frame_ms(directory: Path) -> tuple[float, float]:
    """(our player page, including the verified export it makes; the same MP4 as a static file)."""
    from playwright.sync_api import sync_playwright

    camera = directory / "camera"
    record(camera, MINUTE, short_config(sim={"camera_width": 640, "camera_height": 360}))
    root = directory / "store"
    web = serve(camera, root)
    client, grant = web.client("case-worker"), None
    client.post(f"/recordings/{web.recording.pk}/request/", {"purpose": "Messung", "case_number": "B-1"})
    from station.models import ViewRequest

    grant = ViewRequest.objects.get()
    web.client("approver").post(f"/requests/{grant.pk}/decide/", {"decision": "approve"})
    web.store.db.close()
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "office.cli", "station", "serve", "--store", str(root), "--bind",
                               f"127.0.0.1:{port}", "--agency-key", str(camera / "keys" / "agency.key")],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    static = _static_server(directory / "static")
    try:
        _wait(f"http://127.0.0.1:{port}/login/")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                                 args=["--no-sandbox", "--autoplay-policy=no-user-gesture-required"])
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/login/")
            page.fill("input[name=username]", "case-worker")
            page.fill("input[name=password]", PASSWORD)
            page.click("main button")
            page.wait_for_url("**/recordings/")
            page.goto(f"http://127.0.0.1:{port}/recordings/{web.recording.pk}/play/", wait_until="commit")
            ours = page.evaluate(FIRST_FRAME)
            mp4 = root / "private" / "playback" / f"{grant.pk}.mp4"
            (directory / "static" / "r.mp4").write_bytes(mp4.read_bytes())
            page.goto(f"http://127.0.0.1:{static}/index.html", wait_until="commit")
            plain = page.evaluate(FIRST_FRAME)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    return ours, plain


def _static_server(folder: Path) -> int:
    folder.mkdir()
    (folder / "index.html").write_text('<!DOCTYPE html><video src="r.mp4" preload="auto"></video>')
    port = free_port()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, directory=str(folder), **kwargs)

        def log_message(self, *args) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Quiet)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return port


def _wait(url: str) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def run() -> list[Row]:
    from tests.postgres import start_postgres, stop_postgres

    test_environment()
    with tempfile.TemporaryDirectory() as directory:
        base = Path(directory)
        sqlite_many = list_page_ms(base / "sqlite", None, RECORDINGS)
        sqlite_few = list_page_ms(base / "sqlite-small", None, 10)
        server, data = start_postgres()
        try:
            postgres_many = list_page_ms(base / "pg", server.new_database(), RECORDINGS)
            postgres_few = list_page_ms(base / "pg-small", server.new_database(), 10)
        finally:
            stop_postgres(server, data)
    with tempfile.TemporaryDirectory() as directory:
        ours, plain = first_frame_ms(Path(directory))
    return [
        *(Row(f"recordings list, {page} page, {RECORDINGS:,} recordings, {name} (target < 100 ms)", many[page], "ms",
              few[page], "the same page with 10 recordings")
          for name, many, few in (("SQLite", sqlite_many, sqlite_few), ("PostgreSQL", postgres_many, postgres_few))
          for page in PAGES),
        Row("open the player to first video frame in Chromium, 60 s recording (first open: verify, then the "
            "export streams)", ours, "ms", plain, "the exported MP4 as a static file"),
    ]
