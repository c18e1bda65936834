"""The evidence office's web application through Django's test client: every role rule, the four-eyes
rule, viewing windows, holds, the custody log, and bad input (a clear 4xx, nothing changed)."""

from __future__ import annotations

import re
from datetime import timedelta
from itertools import chain

import pytest

from tests.web import PASSWORD, test_environment


def request_view(web, user: str = "case-worker"):
    from station.models import ViewRequest

    client = web.client(user)
    response = client.post(f"/recordings/{web.recording.pk}/request/", {"purpose": "Anzeige prüfen",
                                                                         "case_number": "OA-1"})
    assert response.status_code == 302
    return client, ViewRequest.objects.filter(requester__username=user).latest("created_at")


def approve(web, grant, approver: str = "approver"):
    return web.client(approver).post(f"/requests/{grant.pk}/decide/", {"decision": "approve"})


def prepared(client, pk: int) -> dict[str, str]:
    """The player page's question until the station has made the MP4 (or failed): its last answer."""
    import time

    deadline = time.monotonic() + 30
    while (status := client.get(f"/recordings/{pk}/playback-status/").json())["state"] == "preparing":
        assert time.monotonic() < deadline, "the export did not end"
        time.sleep(0.05)
    return status


def test_every_role_logs_in_and_sees_the_recordings_list_in_german(web):
    for role in ("case-worker", "approver", "evidence-officer", "data-protection", "admin"):
        response = web.client(role).get("/recordings/")
        assert response.status_code == 200
        assert "Aufnahmen" in response.content.decode() and "cam-01" in response.content.decode()
    assert [a for _, a, _ in web.custody()].count("login") == 5


def test_every_page_carries_a_content_security_policy_and_no_inline_script(web):
    from station.web.headers import CONTENT_SECURITY_POLICY

    client = web.client("data-protection")
    for url in ("/recordings/", f"/recordings/{web.recording.pk}/", "/requests/", "/devices/", "/statistics/",
                "/custody/", "/admin/", "/login/"):
        response = client.get(url)
        assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY, url
        body = response.content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", body) and not re.search(r"<[^>]*\son[a-z]+=", body), url


def test_a_clerk_reads_german_labels_and_dates_not_codes_or_python(web):
    web.client("case-worker").get(f"/recordings/{web.recording.pk}/")  # a custody line: details-viewed
    dpo = web.client("data-protection")
    custody = dpo.get("/custody/").content.decode()
    assert ">Einzelheiten angesehen<" in custody and ">details-viewed<" not in custody
    assert "{'" not in custody and "&#x27;" not in custody, "details as text, not a Python dictionary"
    listing = dpo.get("/recordings/").content.decode()
    assert "Device object" not in listing and ">cam-01</option>" in listing
    assert ">angekündigt</option>" in listing
    detail = dpo.get(f"/recordings/{web.recording.pk}/").content.decode()
    assert "<dd>angekündigt</dd>" in detail and "Segmente: " in detail
    assert not re.search(r"\d{4}-\d\d-\d\dT[\d:.]+Z", detail), "camera times in local time, German format"
    statistics = dpo.get("/statistics/").content.decode()
    assert "<th>Aufnahmen nach Grund</th>" in statistics and "recordings_by_reason" not in statistics


def test_the_page_names_the_users_own_roles_and_no_other(web):
    body = web.client("case-worker").get("/recordings/").content.decode()
    assert 'title="Sachbearbeitung"' in body and "Administration" not in body


def test_an_account_deactivated_or_signed_out_has_no_role_whatever_its_groups(web):
    from django.contrib.auth.models import AnonymousUser, User

    from station.web.access import roles

    admin = User.objects.get(username="admin")
    assert roles(admin) == {"admin"}
    admin.is_active = False
    assert roles(admin) == set()
    worker = User.objects.get(username="case-worker")
    assert roles(worker) == {"case-worker"}
    worker.is_active = False
    assert roles(worker) == set()
    assert roles(AnonymousUser()) == set()


def test_the_list_shows_when_each_recording_will_be_deleted(web):
    from station.models import Recording

    recording = web.store.db.query(Recording).get(pk=web.recording.pk)
    recording.received_at = recording.started_utc + timedelta(hours=1)  # docked the same day
    recording.save(using=web.store.db.alias)
    body = web.client("case-worker").get("/recordings/").content.decode()
    assert (web.recording.started_utc + timedelta(days=14)).strftime("%d.%m.%Y") in body
    assert "verspätet eingegangen" not in body


def test_a_case_worker_cannot_play_without_an_approved_request(web):
    client = web.client("case-worker")
    assert client.post(f"/recordings/{web.recording.pk}/play/").status_code == 403
    assert client.get(f"/recordings/{web.recording.pk}/video.mp4").status_code == 403
    _, grant = request_view(web)
    assert grant.status == "pending"
    assert client.post(f"/recordings/{web.recording.pk}/play/").status_code == 403


def test_an_approver_cannot_approve_their_own_request(web):
    _, grant = request_view(web, "approver")
    response = web.client("approver").post(f"/requests/{grant.pk}/decide/", {"decision": "approve"}, follow=True)
    grant.refresh_from_db()
    assert grant.status == "pending" and "Vier-Augen" in response.content.decode()


def test_a_requests_purpose_is_read_by_its_requester_and_those_who_decide_or_oversee_only(web):
    request_view(web)
    page = f"/recordings/{web.recording.pk}/"
    for user, reads in (("case-worker", True), ("approver", True), ("data-protection", True),
                        ("case-worker-2", False), ("evidence-officer", False), ("admin", False)):
        assert ("Anzeige prüfen" in web.client(user).get(page).content.decode()) == reads, user


def test_a_request_left_undecided_for_a_week_expires_and_cannot_be_approved(web):
    from django.utils import timezone

    from station.models import ViewRequest

    client, grant = request_view(web)
    ViewRequest.objects.filter(pk=grant.pk).update(created_at=timezone.now() - timedelta(days=7, minutes=1))
    response = web.client("approver").post(f"/requests/{grant.pk}/decide/", {"decision": "approve"}, follow=True)
    grant.refresh_from_db()
    assert grant.status == "expired" and grant.window_until is None
    assert "unentschieden abgelaufen" in response.content.decode()
    assert "unentschieden abgelaufen: bei Bedarf neu beantragen" in client.get("/requests/").content.decode()
    assert [a for _, a, _ in web.custody()].count("view-expired") == 1
    assert client.post(f"/recordings/{web.recording.pk}/play/").status_code == 403


def test_the_requests_page_and_the_purge_expire_what_waited_too_long_and_nothing_younger(web):
    from django.utils import timezone

    from station.models import ViewRequest
    from station.viewing import expire_requests

    _, old = request_view(web)
    _, young = request_view(web, "case-worker-2")
    ViewRequest.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    ViewRequest.objects.filter(pk=young.pk).update(created_at=timezone.now() - timedelta(days=6))
    body = web.client("approver").get("/requests/").content.decode()
    assert "case-worker-2" in body.split("Zu entscheiden")[1].split("Entschieden")[0]
    assert ViewRequest.objects.get(pk=old.pk).status == "expired"
    assert ViewRequest.objects.get(pk=young.pk).status == "pending"
    assert expire_requests(web.store, timedelta(days=7)) == 0


def test_a_second_account_without_a_personnel_number_cannot_approve(web):
    """Four eyes are two people: an account the administrator gave no personnel number (a second account
    of the requester, say) does not count as one."""
    from station.web.users import add_user

    add_user(web.store, "zweitkonto", ["approver"], PASSWORD)
    _, grant = request_view(web)
    response = web.client("zweitkonto").post(f"/requests/{grant.pk}/decide/", {"decision": "approve"}, follow=True)
    grant.refresh_from_db()
    assert grant.status == "pending" and "braucht zwei Personen" in response.content.decode()
    assert approve(web, grant).status_code == 302
    grant.refresh_from_db()
    assert grant.status == "approved"


def test_one_personnel_number_is_one_account(web, tmp_path, capsys):
    from office.cli import main

    password = tmp_path / "password"
    password.write_text(PASSWORD)
    arguments = ["station", "user", "zweitkonto", "--role", "approver", "--password-file", str(password),
                 "--store", str(web.store.root)]
    assert main([*arguments, "--personnel-number", "P-0001"]) != 0
    assert "P-0001 belongs to the account case-worker: one person has one account" in capsys.readouterr().err
    assert main([*arguments, "--personnel-number", "P 1; drop"]) != 0
    assert "--personnel-number 'P 1; drop': give up to 20 letters and digits" in capsys.readouterr().err
    assert main([*arguments, "--personnel-number", "P-0100"]) == 0
    assert web.custody()[-1][1:] == ("user-set", "zweitkonto")


def test_a_case_worker_cannot_decide_requests(web):
    _, grant = request_view(web)
    assert web.client("case-worker-2").post(f"/requests/{grant.pk}/decide/", {"decision": "approve"}).status_code == 403
    grant.refresh_from_db()
    assert grant.status == "pending"


def test_an_approved_request_opens_a_window_to_play_with_byte_ranges_and_everything_is_logged(web):
    client, grant = request_view(web)
    approve(web, grant)
    grant.refresh_from_db()
    assert grant.status == "approved" and grant.window_until is not None
    page = client.post(f"/recordings/{web.recording.pk}/play/")
    assert page.status_code == 200 and "OA-1" in page.content.decode()
    whole = client.get(f"/recordings/{web.recording.pk}/video.mp4")
    data = b"".join(whole.streaming_content)
    assert whole.status_code == 200 and data[4:8] == b"ftyp"
    part = client.get(f"/recordings/{web.recording.pk}/video.mp4", HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and part["Content-Range"] == f"bytes 100-199/{len(data)}"
    assert b"".join(part.streaming_content) == data[100:200]
    assert client.post(f"/recordings/{web.recording.pk}/playback-started/", {"at": "1.5"}).status_code == 204
    for malformed in ("nan", "inf", "-1", "x"):
        assert client.post(f"/recordings/{web.recording.pk}/playback-started/", {"at": malformed}).status_code == 400
    actions = [a for _, a, _ in web.custody()]
    for action in ("view-requested", "view-approved", "viewed", "playback-started"):
        assert action in actions


def test_the_player_starts_while_the_station_is_still_writing_the_video(web, monkeypatch):
    """However long the recording, the page opens at once and the video's first fragments arrive while
    the rest is being exported; the whole file is the same bytes, and seeking by ranges works after."""
    import threading
    import time

    from storage import export

    written, go_on, real = [0], threading.Event(), export._write

    def held(*args: object) -> None:
        real(*args)
        written[0] += 1
        if written[0] == 300:
            go_on.wait(30)

    monkeypatch.setattr(export, "_write", held)
    client, grant = request_view(web)
    approve(web, grant)
    pk = web.recording.pk
    assert client.post(f"/recordings/{pk}/play/").status_code == 200
    assert client.get(f"/recordings/{pk}/playback-status/").json() == {"state": "preparing", "message": ""}
    deadline = time.monotonic() + 30
    while written[0] < 300:  # the export has written its first fragments and waits
        assert time.monotonic() < deadline
        time.sleep(0.01)
    response = client.get(f"/recordings/{pk}/video.mp4")
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    stream = iter(response.streaming_content)
    first = next(stream)
    playback = web.store.root / "private" / "playback" / f"{grant.pk}.mp4"
    assert first[4:8] == b"ftyp" and b"moov" in first and b"moof" in first, "playable before the export ends"
    assert not playback.exists() and written[0] == 300
    go_on.set()
    data = first + b"".join(stream)
    assert prepared(client, pk)["state"] == "ready" and data == playback.read_bytes()
    part = client.get(f"/recordings/{pk}/video.mp4", HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and b"".join(part.streaming_content) == data[100:200]


def test_an_export_that_fails_in_the_background_is_shown_on_the_player_page_and_ends_the_video(web, monkeypatch):
    from station.web import playback
    from storage.segment_reader import DecryptError

    def fails(*args: object, **kwargs: object) -> None:
        raise DecryptError("seg-000000.bcs: the agency key does not open this segment")

    monkeypatch.setattr(playback, "export_recording", fails)
    client, grant = request_view(web)
    approve(web, grant)
    pk = web.recording.pk
    assert client.post(f"/recordings/{pk}/play/").status_code == 200
    status = prepared(client, pk)
    assert status["state"] == "failed" and "kann nicht abgespielt werden" in status["message"]
    assert "the agency key does not open this segment" in status["message"]
    assert client.get(f"/recordings/{pk}/video.mp4").status_code == 403, "nothing is being made"
    assert [(who, a) for who, a, _ in web.custody() if a.endswith("-failed")] == [("case-worker", "play-failed")]


def test_another_users_window_does_not_open_the_recording(web):
    _, grant = request_view(web)
    approve(web, grant)
    other = web.client("case-worker-2")
    assert other.post(f"/recordings/{web.recording.pk}/play/").status_code == 403
    assert other.get(f"/recordings/{web.recording.pk}/video.mp4").status_code == 403


def test_an_expired_window_closes_and_its_decrypted_file_is_removed(web):
    from django.utils import timezone

    client, grant = request_view(web)
    approve(web, grant)
    assert client.post(f"/recordings/{web.recording.pk}/play/").status_code == 200
    assert prepared(client, web.recording.pk) == {"state": "ready", "message": ""}
    playback = web.store.root / "private" / "playback" / f"{grant.pk}.mp4"
    assert playback.exists()
    grant.refresh_from_db()
    grant.window_until = timezone.now() - timedelta(seconds=1)
    grant.save()
    assert client.post(f"/recordings/{web.recording.pk}/play/").status_code == 403
    assert client.get(f"/recordings/{web.recording.pk}/video.mp4").status_code == 403
    from station.web.playback import sweep

    sweep(web.store, timezone.now())
    assert not playback.exists()


def test_a_rejected_request_opens_nothing(web):
    client, grant = request_view(web)
    web.client("approver").post(f"/requests/{grant.pk}/decide/", {"decision": "reject", "note": "kein Anlass"})
    grant.refresh_from_db()
    assert grant.status == "rejected"
    assert client.post(f"/recordings/{web.recording.pk}/play/").status_code == 403
    assert "view-rejected" in [a for _, a, _ in web.custody()]


def test_a_held_recording_is_not_purged_and_only_an_evidence_officer_holds(web):
    from station.retention import purge

    url = f"/recordings/{web.recording.pk}/hold/"
    assert web.client("case-worker").post(url, {"reason": "x", "case_number": "1"}).status_code == 403
    assert web.client("evidence-officer").post(url, {"reason": "Verfahren", "case_number": "StA 1"}).status_code == 302
    result = purge(web.store, timedelta(days=0), review=timedelta(0))
    assert result.deleted == [] and result.held == [web.recording.ref]
    web.client("evidence-officer").post(f"/recordings/{web.recording.pk}/release/", {"reason": "eingestellt"})
    assert purge(web.store, timedelta(days=0), review=timedelta(0)).deleted == [web.recording.ref]
    assert web.client("case-worker").get(f"/recordings/{web.recording.pk}/").status_code == 404
    actions = [a for _, a, _ in web.custody()]
    assert {"hold", "hold-released", "deleted"} <= set(actions)


def test_a_hold_without_a_case_number_changes_nothing(web):
    response = web.client("evidence-officer").post(f"/recordings/{web.recording.pk}/hold/", {"reason": "x"},
                                                   follow=True)
    web.recording.refresh_from_db()
    assert not web.recording.held and "Aktenzeichen" in response.content.decode()


def test_a_form_with_an_error_keeps_what_was_typed(web):
    officer = web.client("evidence-officer")
    held = officer.post(f"/recordings/{web.recording.pk}/hold/", {"reason": "Ermittlungsverfahren Müller"})
    assert held.status_code == 400 and 'value="Ermittlungsverfahren Müller"' in held.content.decode()
    asked = web.client("case-worker").post(f"/recordings/{web.recording.pk}/request/",
                                           {"purpose": "Beschwerde eines Bürgers prüfen", "case_number": ""})
    assert asked.status_code == 400 and "Beschwerde eines Bürgers prüfen</textarea>" in asked.content.decode()
    assert "Ein Antrag braucht einen Zweck und ein Aktenzeichen." in asked.content.decode()


def test_requests_name_the_recordings_time_camera_and_reason(web):
    request_view(web)
    body = web.client("case-worker").get("/requests/").content.decode()
    assert "cam-01 · angekündigt" in body


def test_export_needs_an_evidence_officer_with_an_own_approved_request(web):
    url = f"/recordings/{web.recording.pk}/export/"
    assert web.client("evidence-officer").post(url).status_code == 403
    client, grant = request_view(web, "evidence-officer")
    approve(web, grant)
    response = client.post(url)
    assert response.status_code == 200 and b"".join(response.streaming_content)[4:8] == b"ftyp"
    assert "attachment" in response["Content-Disposition"]
    assert not list((web.store.root / "private" / "playback").glob("export-*"))
    case_worker, grant = request_view(web, "case-worker")
    approve(web, grant)
    assert case_worker.post(url).status_code == 403


def test_a_link_cannot_play_or_export_in_a_viewers_name(web):
    """Play and export decrypt and write custody lines: a GET (a link or image on another site) does
    nothing, and a POST without the station's CSRF token is refused."""
    client, grant = request_view(web, "evidence-officer")
    approve(web, grant)
    before = web.custody()
    for action in ("play", "export"):
        assert client.get(f"/recordings/{web.recording.pk}/{action}/").status_code == 405
    forged = web.client("evidence-officer", csrf=True)
    for action in ("play", "export"):
        assert forged.post(f"/recordings/{web.recording.pk}/{action}/").status_code == 403
    assert [a for _, a, _ in web.custody()[len(before):]] == ["login", "access-refused", "access-refused"]
    assert not (web.store.root / "private" / "playback" / f"{grant.pk}.mp4").exists()


def test_a_range_header_of_thousands_of_digits_gets_the_whole_file_not_an_error(web):
    client, grant = request_view(web)
    approve(web, grant)
    client.post(f"/recordings/{web.recording.pk}/play/")
    prepared(client, web.recording.pk)
    for header in ("bytes=" + "9" * 5000 + "-", "bytes=0-" + "1" * 5000, "bytes=-" + "7" * 19):
        response = client.get(f"/recordings/{web.recording.pk}/video.mp4", HTTP_RANGE=header)
        assert response.status_code == 200 and b"".join(response.streaming_content)[4:8] == b"ftyp"


def test_a_lost_cameras_later_recordings_are_refused_for_playback(web):
    from django.utils import timezone

    from station.models import Device

    client, grant = request_view(web)
    approve(web, grant)
    Device.objects.filter(pk=web.device.pk).update(status="lost", status_since=web.recording.started_utc
                                                   - timedelta(minutes=1))
    response = client.post(f"/recordings/{web.recording.pk}/play/", follow=True)
    assert "kann nicht abgespielt werden" in response.content.decode() and "lost" in response.content.decode()
    assert [a for _, a, _ in web.custody()].count("play-failed") == 1
    assert not (web.store.root / "private" / "playback" / f"{grant.pk}.mp4").exists()
    assert timezone.now()


def test_the_sweep_removes_a_closed_windows_footage_without_anyone_opening_a_page(web, capsys):
    from django.utils import timezone

    from office.cli import main
    from station.models import ViewRequest

    client, grant = request_view(web)
    approve(web, grant)
    client.post(f"/recordings/{web.recording.pk}/play/")
    assert prepared(client, web.recording.pk)["state"] == "ready"
    video = web.store.root / "private" / "playback" / f"{grant.pk}.mp4"
    assert main(["station", "sweep", "--store", str(web.store.root)]) == 0
    assert video.exists(), "its window is still open"
    ViewRequest.objects.filter(pk=grant.pk).update(window_until=timezone.now() - timedelta(seconds=1))
    assert main(["station", "sweep", "--store", str(web.store.root)]) == 0
    assert not video.exists() and f"removed {grant.pk}.mp4 (its viewing window closed)" in capsys.readouterr().out


def test_the_data_protection_officer_reads_the_logs_but_cannot_view_footage(web):
    dpo = web.client("data-protection")
    assert dpo.get("/custody/").status_code == 200
    assert "unversehrt" in dpo.get("/custody/").content.decode()
    assert dpo.get("/deletions/").status_code == 200
    assert dpo.post(f"/recordings/{web.recording.pk}/play/").status_code == 403
    assert web.client("case-worker").get("/custody/").status_code == 403


def test_the_custody_csv_cannot_carry_a_spreadsheet_formula(web):
    web.store.log("hold", "=HYPERLINK(\"http://evil\")", "=cmd|' /C calc'!A0")
    body = web.client("data-protection").get("/custody/?format=csv").content.decode()
    assert "'=cmd" in body and "'=HYPERLINK" in body
    assert "\n=cmd" not in body and ",=HYPERLINK" not in body


def test_the_custody_log_stays_intact_through_the_application(web):
    from station import custody

    client, grant = request_view(web)
    approve(web, grant)
    client.post(f"/recordings/{web.recording.pk}/play/")
    check = custody.verify(web.store.db, web.store.station_public())
    assert check.problems == [] and check.lines >= 8


def test_statistics_draw_their_charts(web):
    body = web.client("case-worker").get("/statistics/").content.decode()
    assert body.count("<svg") == 3 and "<rect" in body


def test_chart_labels_from_a_camera_are_escaped():
    from station.web.charts import bars

    assert "<script>" not in bars("t", [("<script>alert(1)</script>", 1)])


def test_the_admin_marks_a_camera_lost_and_others_cannot(web):
    from station.models import Device

    url = f"/devices/{web.device.pk}/status/"
    assert web.client("evidence-officer").post(url, {"status": "lost", "reason": "gestohlen"}).status_code == 403
    assert web.client("admin").post(url, {"status": "lost", "reason": "Anzeige 123"}).status_code == 302
    assert Device.objects.get(pk=web.device.pk).status == "lost"
    assert ("admin", "device-lost", web.device.key_id) in web.custody()


def test_the_devices_page_shows_the_last_dock(web):
    from django.utils import timezone

    from station.models import OffloadRun

    OffloadRun.objects.create(device=web.device, started_at=timezone.now(), outcome="ok", battery_percent=57.0,
                              free_bytes=12 * 10**9, total_bytes=32 * 10**9, camera_clock_offset_s=-2.5, on_camera=1)
    body = web.client("case-worker").get("/devices/").content.decode()
    assert "57 %" in body and "-2,5 s" in body and "11,2\xa0GB" in body
    assert "nicht angekommen" not in body
    OffloadRun.objects.all().update(started_at=timezone.now() - timedelta(days=15))
    assert "nicht angekommen" in web.client("case-worker").get("/devices/").content.decode()


@pytest.mark.parametrize("url", ["/recordings/999999/", "/recordings/..%2F..%2Fetc%2Fpasswd/", "/recordings/abc/",
                                 "/recordings/999999/play/", "/requests/999999/decide/"])
def test_unknown_or_path_like_ids_are_a_clear_4xx(web, url):
    client = web.client("approver")
    response = client.post(url, {"decision": "approve"}) if url.endswith(("decide/", "play/")) else client.get(url)
    assert response.status_code == 404


def test_a_malformed_filter_is_a_400_with_a_message(web):
    response = web.client("case-worker").get("/recordings/", {"since": "gestern"})
    assert response.status_code == 400 and "Filter" in response.content.decode()


def test_a_request_without_purpose_creates_nothing(web):
    from station.models import ViewRequest

    response = web.client("case-worker").post(f"/recordings/{web.recording.pk}/request/", {"case_number": "1"},
                                              follow=True)
    assert ViewRequest.objects.count() == 0 and "Zweck" in response.content.decode()


def test_a_forged_csrf_token_changes_nothing(web):
    from station.models import ViewRequest

    client = web.client("case-worker", csrf=True)
    response = client.post(f"/recordings/{web.recording.pk}/request/", {"purpose": "x", "case_number": "1",
                                                                         "csrfmiddlewaretoken": "forged"})
    assert response.status_code == 403 and ViewRequest.objects.count() == 0
    assert "Formular abgelaufen" in response.content.decode()


def test_without_a_session_every_page_asks_for_a_login(web):
    from django.test import Client

    response = Client().get(f"/recordings/{web.recording.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert Client().post("/login/", {"username": "case-worker", "password": "wrong"}).status_code == 200
    assert ("anonymous", "login-failed", "") in web.custody()


def guess(web, user: str, password: str, address: str = "192.0.2.7"):
    from django.test import Client

    return Client(REMOTE_ADDR=address).post("/login/", {"username": user, "password": password})


def test_a_guessed_password_is_locked_out_after_five_tries_even_when_right_and_logged_once(web):
    for _ in range(30):
        assert guess(web, "approver", "falsch-geraten").status_code in (200, 429)
    locked = guess(web, "approver", PASSWORD)
    assert locked.status_code == 429 and "Anmeldung gesperrt" in locked.content.decode()
    assert "15 Minuten" in locked.content.decode()
    actions = [a for _, a, _ in web.custody()]
    assert actions.count("login-failed") == 5 and actions.count("login-locked") == 1 and "login" not in actions
    from station.models import CustodyEntry
    from station.web.throttle import counted_already_locked

    line = CustodyEntry.objects.get(action="login-locked")
    assert line.details == {"username": "approver", "address": "192.0.2.7", "failures": 5, "minutes": 15}
    assert not counted_already_locked(None), "a sign-in outside a request (the command line) is logged"


def test_a_lockout_holds_one_account_at_one_address_only(web):
    for _ in range(5):
        guess(web, "approver", "falsch-geraten")
    assert guess(web, "approver", PASSWORD).status_code == 429
    assert guess(web, "approver", PASSWORD, address="192.0.2.8").status_code == 302
    assert guess(web, "case-worker", PASSWORD).status_code == 302


def test_a_lockout_ends_after_its_cool_off_and_the_purge_forgets_it(web):
    from datetime import UTC, datetime

    from axes.models import AccessAttempt

    from station.web.throttle import forget_failed_logins

    for _ in range(5):
        guess(web, "approver", "falsch-geraten")
    assert forget_failed_logins(web.store, datetime.now(UTC)) == 0
    AccessAttempt.objects.update(attempt_time=datetime.now(UTC) - timedelta(minutes=16))
    assert guess(web, "approver", PASSWORD).status_code == 302
    guess(web, "approver", "falsch-geraten")
    AccessAttempt.objects.update(attempt_time=datetime.now(UTC) - timedelta(minutes=16))
    assert forget_failed_logins(web.store, datetime.now(UTC)) == 1
    assert not AccessAttempt.objects.exists()


@pytest.mark.parametrize(("https", "forwarded", "address"), [
    (True, "203.0.113.9, 192.0.2.44", "192.0.2.44"),  # nginx appended the address it saw; the rest is claimed
    (True, "", "127.0.0.1"),
    (False, "192.0.2.44", "127.0.0.1"),  # without the proxy, a header is the visitor's claim only
    (True, "x" * 300, "x" * 45),  # what is counted and logged of a forged header is bounded
])
def test_the_lockout_counts_the_address_the_proxy_saw(web, monkeypatch, https, forwarded, address):
    from django.conf import settings
    from django.test import RequestFactory

    from station.web.throttle import client_address

    monkeypatch.setattr(settings, "BEHIND_TLS", https)
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    assert client_address(RequestFactory().get("/login/", REMOTE_ADDR="127.0.0.1", **headers)) == address


def test_a_late_arrival_is_flagged_and_kept_for_review_on_the_recordings_pages(web):
    from station.models import Recording

    recording = web.store.db.query(Recording).get(pk=web.recording.pk)
    recording.received_at = recording.started_utc + timedelta(days=20)
    recording.save(using=web.store.db.alias)
    client = web.client("case-worker")
    listing = client.get("/recordings/").content.decode()
    from django.utils import timezone

    kept_until = timezone.localtime(recording.received_at + timedelta(hours=72)).strftime("%d.%m.%Y")
    assert "verspätet eingegangen" in listing and kept_until in listing
    page = client.get(f"/recordings/{recording.pk}/").content.decode()
    assert "bleibt nach dem Eingang 72 Stunden zur Prüfung" in page


def test_english_is_one_choice_away(web):
    client = web.client("case-worker")
    client.post("/i18n/setlang/", {"language": "en", "next": "/recordings/"})
    assert "Recordings" in client.get("/recordings/").content.decode()


def test_the_german_texts_are_compiled_from_the_po_file(tmp_path):
    import subprocess
    from pathlib import Path

    folder = Path(__file__).parent.parent / "station" / "locale" / "de" / "LC_MESSAGES"
    subprocess.run(["msgfmt", "--check", "-o", str(tmp_path / "django.mo"), str(folder / "django.po")], check=True)
    assert (tmp_path / "django.mo").read_bytes() == (folder / "django.mo").read_bytes()


@pytest.mark.parametrize(("status", "battery", "free", "version"), [
    ({"battery_percent": 64.5, "free_bytes": 10, "total_bytes": 20, "firmware_version": "0.2.0+g1a2b"}, 64.5, 10,
     "0.2.0+g1a2b"),
    ({"battery_percent": 101, "free_bytes": -1, "total_bytes": "20", "firmware_version": "../../etc"}, None, None, ""),
    ({"battery_percent": True, "free_bytes": 2**70, "firmware_version": "x" * 65}, None, None, ""),
    ("not a dict", None, None, ""),
])
def test_the_cameras_status_report_is_taken_only_in_range(status, battery, free, version):
    from station.models import Device, OffloadRun
    from station.offload import _camera_status

    run, device = OffloadRun(), Device(firmware_version="")
    _camera_status(run, device, {"status": status})
    assert (run.battery_percent, run.free_bytes, device.firmware_version) == (battery, free, version)


def test_users_are_added_by_the_command_line_with_a_checked_password(tmp_path, capsys):
    from office.cli import main

    store = tmp_path / "store"
    (tmp_path / "weak").write_text("kurz\n")
    (tmp_path / "good").write_text("Ein-langes-Passwort-2026\n")
    assert main(["station", "init", "--store", str(store), "--admin", "chef", "--password-file",
                 str(tmp_path / "good")]) == 0
    assert main(["station", "user", "anna", "--role", "case-worker", "--store", str(store), "--password-file",
                 str(tmp_path / "weak")]) == 2
    assert "password for anna" in capsys.readouterr().err
    assert main(["station", "user", "anna", "--role", "case-worker", "--role", "approver", "--store", str(store),
                 "--password-file", str(tmp_path / "good")]) == 0
    from django.contrib.auth.models import User

    anna = User.objects.get(username="anna")
    assert sorted(g.name for g in anna.groups.all()) == ["approver", "case-worker"]
    assert anna.password.startswith("argon2")


def test_the_demo_store_has_recordings_users_and_playback(tmp_path):
    from office.demo import KIOSK_PIN, make_demo
    from station.models import Case, Recording
    from station.store import Store
    from station.web.app import serve_store

    test_environment()
    users = make_demo(tmp_path / "demo")
    store = serve_store(Store.open(tmp_path / "demo")).store
    assert store.db.query(Recording).count() >= 5
    assert (tmp_path / "demo" / "DEMO-STORE-TEST-KEYS.txt").exists()
    from django.test import Client

    client = Client()
    name, password, _ = next(u for u in users if u[0] == "sachbearbeitung")
    assert client.post("/login/", {"username": name, "password": password}).status_code == 302
    grant = store.db.query(Recording).order_by("-started_utc").first()
    assert client.post(f"/recordings/{grant.pk}/play/").status_code == 200
    officer = Client()
    name, password, _ = next(u for u in users if u[0] == "asservate")
    assert officer.post("/login/", {"username": name, "password": password}).status_code == 302
    case = store.db.query(Case).get()
    form = officer.get(f"/cases/{case.pk}/handover/").content.decode()
    assert "Staatsanwaltschaft Duisburg" in form and 'name="recordings"' in form, "a hand-over one click away"
    listed = officer.get("/recordings/").content.decode()
    assert "Anna Berg (10471)" in listed and "Ben Kaya (10472)" in listed and "nicht zugeordnet" in listed
    assert "unklar" not in listed, "one assignment per camera and shift"
    assert "überfällig" in officer.get("/dock/").content.decode(), "cam-demo-02 out with Clara for 13 hours"
    kiosk = Client()
    name, password, _ = next(u for u in users if u[0] == "terminal")
    assert kiosk.post("/login/", {"username": name, "password": password}).status_code == 302
    number, pin = KIOSK_PIN
    returned = kiosk.post("/dock/kiosk/", {"number": number, "pin": pin}).content.decode()
    assert "Zurückgenommen: cam-demo-02 von Clara Nowak." in returned
    from station.models import Redaction

    waiting = store.db.query(Redaction).get()
    assert waiting.status == Redaction.AWAITING and waiting.covered_frames > 0
    leader = Client()
    name, password, _ = next(u for u in users if u[0] == "leitung")
    assert leader.post("/login/", {"username": name, "password": password}).status_code == 302
    assert 'name="decision"' in leader.get(f"/redactions/{waiting.pk}/").content.decode(), "one approval away"


@pytest.mark.parametrize("field, value, said", [
    ("device_pub", "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----", "not a PEM public key"),
    ("host_key", "AAAAC3NzaC1lZDI1NTE5", "expected &#x27;ssh-ed25519 AAAA…&#x27;"),
])
def test_an_enrolment_form_with_a_bad_key_names_the_field_and_enrols_nothing(web, field, value, said):
    from station.models import Device
    from tests.web import host_key

    form = {"name": "cam-02", "host": "127.0.0.1", "port": "22", "ssh_user": "bodycam",
            "device_pub": web.device.public_key, "host_key": host_key(), field: value}
    response = web.client("admin").post("/devices/enrol/", form)
    assert response.status_code == 400 and said in response.content.decode()
    assert not Device.objects.filter(name="cam-02").exists()


def test_an_enrolment_form_with_good_keys_enrols_the_camera_with_its_host_key_pinned(web):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    from station.models import Device
    from tests.web import host_key

    pem = ed25519.Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    pinned = host_key()
    form = {"name": "cam-02", "host": "127.0.0.2", "port": "22", "ssh_user": "bodycam", "device_pub": pem,
            "host_key": f"cam-02.dock {pinned}"}
    assert web.client("admin").post("/devices/enrol/", form).status_code == 302
    assert Device.objects.get(name="cam-02").host_key == pinned, "a known_hosts line is pinned without its host"


def test_an_evidence_officer_opens_a_case_attaches_a_recording_and_the_pages_say_what_keeps_it(web):
    from station.models import Case

    officer = web.client("evidence-officer")
    opened = officer.post("/cases/open/", {"reference": "OA 12/2026", "kind": "ordnungswidrigkeit"})
    case = Case.objects.get(reference="OA 12/2026")
    assert opened.status_code == 302 and opened["Location"] == f"/cases/{case.pk}/"
    attached = officer.post(f"/recordings/{web.recording.pk}/cases/", {"reference": " OA  12/2026"}, follow=True)
    assert "dem Vorgang OA 12/2026 zugeordnet" in attached.content.decode()
    assert "solange Vorgang OA 12/2026 offen ist" in attached.content.decode()
    page = web.client("case-worker").get(f"/cases/{case.pk}/").content.decode()
    assert "Ordnungswidrigkeit" in page and "cam-01" in page and "365 Tage nach dem Abschluss" in page
    listed = web.client("case-worker").get("/recordings/", {"case": "OA 12/2026"}).content.decode()
    assert "Aufnahmen: 1" in listed
    assert "Aufnahmen: 0" in web.client("case-worker").get("/recordings/", {"case": "OA 13/2026"}).content.decode()
    search = web.client("case-worker").get("/cases/", {"q": "12/2026"}).content.decode()
    assert "OA 12/2026" in search and "offen" in search
    assert officer.post(f"/cases/{case.pk}/close/").status_code == 302
    closed = officer.get(f"/recordings/{web.recording.pk}/").content.decode()
    assert "Vorgang OA 12/2026, abgeschlossen: Frist seiner Art" in closed
    actions = [a for _, a, _ in web.custody()]
    assert {"case-opened", "case-attached", "case-closed"} <= set(actions)


def test_case_steps_are_the_evidence_officers_and_bad_input_keeps_what_was_typed(web):
    from station.models import Case

    assert web.client("case-worker").post("/cases/open/", {"reference": "OA 1", "kind": "strafanzeige"}).status_code \
        == 403
    officer = web.client("evidence-officer")
    bad = officer.post("/cases/open/", {"reference": "OA <1>", "kind": "strafanzeige"})
    assert bad.status_code == 400 and 'value="OA &lt;1&gt;"' in bad.content.decode()
    assert "Aktenzeichen" in bad.content.decode() and not Case.objects.exists()
    unknown = officer.post(f"/recordings/{web.recording.pk}/cases/", {"reference": "OA 404"})
    assert unknown.status_code == 400 and 'value="OA 404"' in unknown.content.decode()
    assert "keinen Vorgang mit diesem Aktenzeichen" in unknown.content.decode()
    assert officer.post("/cases/999999/close/").status_code == 404
    assert officer.get("/cases/open/").status_code == 405


def test_the_list_pages_by_keyset_through_every_recording_once_in_both_directions_keeping_filters(web):
    """200 recordings, 18 of them at the same second (ties are broken by id): older to the end, oldest,
    and newer back to the start show each recording once, in order; a filter stays on every link."""
    from django.test import Client

    from station.models import Recording

    original = Recording.objects.get(pk=web.recording.pk)
    start = original.started_utc
    Recording.objects.bulk_create([
        Recording(device=original.device, recording_id=f"k{i:05d}", started_utc=start + timedelta(seconds=max(i, 17)),
                  reason="announced" if i % 3 else "imminent-danger", duration_s=1.0, segments=1, status="ok",
                  files={}, received_at=original.received_at) for i in range(200)])
    client: Client = web.client("case-worker")
    everything = list(Recording.objects.order_by("-started_utc", "-pk"))

    def walk(first: str, move: str) -> list[list[int]]:
        pages, query = [], first
        while query is not None:
            response = client.get(f"/recordings/?{query}")
            assert response.status_code == 200
            page = response.context["page"]
            pages.append([r.pk for r in page.rows])
            query = getattr(page, move)
        return pages

    newest_first = [r.pk for r in everything]
    newest, oldest = (client.get("/recordings/", query).context["page"] for query in ({}, {"oldest": "1"}))
    assert newest.newer is None and newest.older is not None and oldest.older is None and oldest.newer is not None
    middle = client.get(f"/recordings/?{oldest.newer}").context["page"]
    assert middle.older is not None and middle.newer is not None, "a page reached going newer leads back"
    assert list(chain(*walk("", "older"))) == newest_first
    from_the_oldest = walk("oldest=1", "newer")
    assert list(chain(*reversed(from_the_oldest))) == newest_first and len(from_the_oldest) == 5
    filtered = client.get("/recordings/", {"reason": "imminent-danger"})
    page = filtered.context["page"]
    assert "Aufnahmen: 67" in filtered.content.decode() and "reason=imminent-danger" in page.older
    older = client.get(f"/recordings/?{page.older}").context["page"]
    assert {r.reason for r in older.rows} == {"imminent-danger"} and "reason=imminent-danger" in older.newer


@pytest.mark.parametrize("link", ["older=gestern", "newer=2026-01-05T00:00:00+00:00_" + "9" * 40,
                                  "older=2026-01-05T00:00:00Z_1", "older=" + "1" * 5000])
def test_a_page_link_the_station_did_not_make_is_a_400_with_a_message(web, link):
    response = web.client("case-worker").get(f"/recordings/?{link}")
    assert response.status_code == 400 and "neuesten Seite" in response.content.decode()
