"""Redaction in Debian's Chromium against the real server: the approver plays the redacted copy, and the
evidence officer's review page draws the faces found over the video, leaves one visible, takes a box drawn
with the mouse and sends the plan (BODYCAM_SCREENSHOTS=DIR for docs/img/station-redaction-*.png)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from station.jobs import Runner, attach
from station.redactions import analyse_job, render_job, review
from tests.test_station_browser import as_user, browser, running_server, shot  # noqa: F401
from tests.test_station_redaction_web import faces_camera, faces_store, started  # noqa: F401
from tests.web import serve_copy


@pytest.fixture(scope="module")
def redactions(faces_store, faces_camera, tmp_path_factory):  # noqa: F811
    """The served store with one redaction waiting for approval and one waiting for review."""
    from station.web.app import served

    web = serve_copy(faces_store, tmp_path_factory.mktemp("redaction-browser") / "store", faces_camera)
    attach(Runner(web.store, served().agency_key))
    awaiting = started(web)
    analyse_job(awaiting.pk, awaiting.attempt)
    awaiting.refresh_from_db()
    review(web.store, awaiting, awaiting.created_by, {})
    render_job(awaiting.pk, awaiting.attempt)
    pending = started(web, "Herausgabe an das Amtsgericht")
    analyse_job(pending.pk, pending.attempt)
    web.store.db.close()
    return web, awaiting.pk, pending.pk


@pytest.fixture(scope="module")
def server(redactions, faces_camera):  # noqa: F811
    web, _, _ = redactions
    with running_server(web.store.root, faces_camera) as url:
        yield url


def test_the_approver_plays_the_redacted_copy_in_chromium(as_user, server, redactions):  # noqa: F811
    _, awaiting, _ = redactions
    page = as_user("approver")
    page.goto(f"{server}/redactions/{awaiting}/")
    video = page.locator("video#derivative")
    video.evaluate("v => { v.muted = true; return v.play(); }")
    page.wait_for_function("() => document.querySelector('video#derivative').currentTime > 0.5")
    assert video.evaluate("v => [v.videoWidth, v.videoHeight]") == [640, 360]
    assert page.locator("input[name=decision]").count() == 2
    video.evaluate("v => { v.pause(); v.currentTime = 2; }")
    page.wait_for_function("() => document.querySelector('video#derivative').readyState >= 2")
    shot(page, "redaction-approval")


def test_the_review_page_draws_the_faces_leaves_one_visible_and_sends_a_drawn_box(as_user, server,  # noqa: F811
                                                                                 redactions):
    from playwright.sync_api import expect

    from station.models import Redaction

    web, _, pending = redactions
    page = as_user("evidence-officer")
    errors: list[str] = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{server}/redactions/{pending}/")
    expect(page.locator("#faces li")).to_have_count(2)
    page.locator("video#source").evaluate("v => { v.currentTime = 2; }")
    page.wait_for_function("() => document.querySelector('video#source').readyState >= 2")
    page.locator("#faces input[type=checkbox]").first.check()
    canvas = page.locator("canvas#overlay").bounding_box()
    assert canvas and canvas["width"] > 300
    page.mouse.move(canvas["x"] + 0.6 * canvas["width"], canvas["y"] + 0.6 * canvas["height"])
    page.mouse.down()
    page.mouse.move(canvas["x"] + 0.8 * canvas["width"], canvas["y"] + 0.9 * canvas["height"])
    page.mouse.up()
    expect(page.locator("#boxes li")).to_have_count(1)
    assert errors == []
    shot(page, "redaction-review")
    page.click("#plan-form button")
    expect(page.locator("#state")).to_contain_text("wartet auf die Auftragsverarbeitung")
    with ThreadPoolExecutor(1) as thread:  # Django refuses Playwright's event loop: the store from a thread
        row = thread.submit(lambda: web.store.db.query(Redaction).get(pk=pending)).result()
    assert row.status == Redaction.QUEUED and len(row.plan["visible"]) == 1
    (drawn,) = row.plan["boxes"]
    assert drawn["span"][0] == pytest.approx(2.0, abs=0.1)
    x0, y0, x1, y1 = drawn["start"]
    assert 0 <= x0 < x1 <= 640 and 0 <= y0 < y1 <= 360 and x1 - x0 > 50, json.dumps(row.plan)
