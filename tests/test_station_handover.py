"""Hand-over to police and prosecutor: an evidence officer with open viewing windows packages a case's
recordings for a registered recipient, who fetches the package once with a one-time code; the manifest,
the verify report and the German hand-over sheet say what was handed over; every step is a custody line;
expiry, revocation and guessed codes leave nothing decrypted. Through Django's test client, on recordings
the simulator made."""

from __future__ import annotations

import hashlib
import io
import os
import re
import zipfile
from datetime import timedelta

import pytest

TWO = "0 press display\n3 press record\n8 hold record 3\n14 press record\n19 hold record 3\n26 end\n"
"""Two recordings: 3 s to the stop at 11 s, and 14 s to the stop at 22 s."""


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    """This module's camera: two recordings (the conftest's fixtures serve it)."""
    from tests.recordings import record, short_config

    data = tmp_path_factory.mktemp("two") / "data"
    record(data, TWO, short_config())
    return data


def recordings(web):
    from station.models import Recording

    return list(Recording.objects.select_related("device").order_by("started_utc"))


def window(web, recording, user: str = "evidence-officer") -> None:
    """An approved request of ``user`` for ``recording``: the real forms, four eyes."""
    from station.models import ViewRequest

    web.client(user).post(f"/recordings/{recording.pk}/request/", {"purpose": "Übergabe an die Polizei",
                                                                   "case_number": "OA 7/2026"})
    grant = ViewRequest.objects.filter(requester__username=user, recording=recording).latest("created_at")
    assert web.client("approver").post(f"/requests/{grant.pk}/decide/", {"decision": "approve"}).status_code == 302


def case_with(web, *attached):
    from station.models import Case

    officer = web.client("evidence-officer")
    officer.post("/cases/open/", {"reference": "OA 7/2026", "kind": "strafanzeige"})
    case = Case.objects.get(reference="OA 7/2026")
    for recording in attached:
        assert officer.post(f"/recordings/{recording.pk}/cases/", {"reference": "OA 7/2026"}).status_code == 302
    return case


def recipient(name: str = "Polizeipräsidium Duisburg"):
    from station.models import Recipient

    return Recipient.objects.create(name=name, kind="police", contact="kk11@polizei.nrw.de")


def issued(web, case, chosen, to=None, days: int = 7) -> tuple[str, str]:
    """Make the hand-over on the case's page; the link's path and the code the page shows once."""
    response = web.client("evidence-officer").post(f"/cases/{case.pk}/handover/", {
        "recipient": (to or recipient()).pk, "recordings": [r.pk for r in chosen], "days": days})
    page = response.content.decode()
    assert response.status_code == 200, page
    link = re.search(r'<code id="handover-link">https?://[^/]+(/handover/[^<]+)</code>', page)
    code = re.search(r'<code id="handover-code">(\d{4}-\d{4})</code>', page)
    assert link and code, page
    return link[1], code[1]


def anonymous():
    from django.test import Client

    return Client()


def actions(web) -> list[str]:
    return [action for _, action, _ in web.custody()]


def test_a_case_is_handed_over_and_the_recipient_fetches_it_once_with_the_code(web):
    from pypdf import PdfReader

    from station.models import Assignment, Officer

    first, second = recordings(web)
    anna = Officer.objects.create(personnel_number="4711", name="Anna Berg", team="KOD Mitte")
    Assignment.objects.create(device=first.device, officer=anna, mode=Assignment.POOL, started_by="badge",
                              started_at=first.started_utc - timedelta(minutes=1),
                              ended_at=second.started_utc - timedelta(seconds=1), ended_by="badge")
    for recording in (first, second):
        window(web, recording)
    case = case_with(web, first, second)
    link, code = issued(web, case, [first, second])

    police = anonymous()
    assert "Einmalcode" in police.get(link).content.decode()
    assert police.get(f"{link}package.zip").status_code == 302, "no package before the code"
    assert police.post(link, {"code": "0000-0000" if code != "0000-0000" else "1111-1111"}).status_code == 400
    assert police.post(link, {"code": code}).status_code == 302
    package = b"".join(police.get(f"{link}package.zip").streaming_content)

    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        names = archive.namelist()
        assert names == [f"cam-01_{first.recording_id}.mp4", f"cam-01_{second.recording_id}.mp4",
                         "pruefbericht.txt", "uebergabeprotokoll.pdf", "SHA256SUMS"]
        manifest = dict(reversed(line.split("  ")) for line in archive.read("SHA256SUMS").decode().splitlines())
        assert set(manifest) == set(names) - {"SHA256SUMS"}
        for name, digest in manifest.items():
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
        for name in names[:2]:
            assert archive.read(name)[4:8] == b"ftyp", "an MP4"
        sheet = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(archive.read(names[3]))).pages)
        report = archive.read("pruefbericht.txt").decode()
    compact = sheet.replace("\n", " ")
    for said in ("Übergabeprotokoll", "OA 7/2026", "Strafanzeige", "Polizeipräsidium Duisburg", "evidence-officer",
                 "Personalnummer P-0003", manifest[names[0]], manifest[names[1]], "Übernommen"):
        assert said in compact, said
    assert "unversehrt" in report and first.ref in report and second.ref in report
    first_part, second_part = report.split(second.ref)
    assert "Träger/in der Kamera: Anna Berg (Personalnummer 4711)" in first_part
    assert "Träger/in der Kamera: nicht zugeordnet" in second_part, "the second began after her check-in"
    assert "Anna Berg (Personalnummer 4711)" in compact and "nicht zugeordnet" in compact

    from station.models import Handover

    handover = Handover.objects.get()
    assert hashlib.sha256(package).hexdigest() == handover.package_sha256 and handover.downloads == 1
    assert anonymous().post(link, {"code": code}).status_code == 400, "the code works once"
    logged = actions(web)
    for action, times in (("handover-created", 2), ("handover-code-wrong", 2), ("handover-opened", 2),
                          ("handover-downloaded", 2), ("handover-code-reused", 2)):
        assert logged.count(action) == times, action  # one line per recording handed over
    downloaded = [entry for entry in web.custody() if entry[1] == "handover-downloaded"]
    assert downloaded[0][0] == "Polizeipräsidium Duisburg"


def test_only_recordings_with_the_issuers_own_open_window_can_be_handed_over(web):
    from station.handover import HandoverError, issue
    from station.models import Case, Recipient, ViewRequest

    first, second = recordings(web)
    window(web, first)
    window(web, second, user="case-worker")  # someone else's window opens nothing for the officer
    case = case_with(web, first, second)
    to = recipient()
    page = web.client("evidence-officer").get(f"/cases/{case.pk}/handover/").content.decode()
    assert f'value="{first.pk}"' in page and f'value="{second.pk}"' not in page
    assert "(Vier-Augen-Prinzip): 1 Aufnahme(n) dieses Vorgangs" in page
    response = web.client("evidence-officer").post(f"/cases/{case.pk}/handover/", {
        "recipient": to.pk, "recordings": [first.pk, second.pk], "days": 7})
    assert response.status_code == 400 and not any_handover()
    with pytest.raises(HandoverError, match=r"kein offenes Sichtungsfenster|no open viewing window"):
        issue(web.store, Case.objects.get(), Recipient.objects.get(), [second],
              ViewRequest.objects.get(requester__username="evidence-officer").requester, timedelta(days=1),
              lambda: None, first.received_at, {first.pk})


def any_handover() -> bool:
    from station.models import Handover

    return Handover.objects.exists()


@pytest.mark.parametrize("role", ["case-worker", "approver", "data-protection"])
def test_only_an_evidence_officer_makes_or_revokes_a_hand_over(web, role):
    first, _ = recordings(web)
    window(web, first)
    case = case_with(web, first)
    client = web.client(role)
    assert client.get(f"/cases/{case.pk}/handover/").status_code == 403
    assert client.get("/handovers/").status_code == (200 if role == "data-protection" else 403)
    assert "access-refused" in actions(web)


def test_five_wrong_codes_lock_the_hand_over_and_delete_its_package(web):
    from station.handover import package_path
    from station.models import Handover

    first, _ = recordings(web)
    window(web, first)
    link, code = issued(web, case_with(web, first), [first])
    path = package_path(web.store, Handover.objects.get())
    assert path.exists()
    guesser = anonymous()
    wrong = "1234-5678" if code != "1234-5678" else "8765-4321"
    for attempt in range(4):
        assert guesser.post(link, {"code": wrong}).status_code == 400, attempt
    assert guesser.post(link, {"code": wrong}).status_code == 410
    assert anonymous().post(link, {"code": code}).status_code == 410, "locked, even for the right code"
    assert Handover.objects.get().status == "locked" and not path.exists()
    assert "gesperrt" in anonymous().get(link).content.decode()
    assert actions(web).count("handover-code-wrong") == 5 and "handover-locked" in actions(web)


def test_an_expired_hand_over_is_refused_and_the_sweep_leaves_nothing_decrypted(web, capsys):
    from office.cli import main
    from station.handover import number, package_path
    from station.models import Handover

    first, _ = recordings(web)
    window(web, first)
    link, code = issued(web, case_with(web, first), [first], days=1)
    police = anonymous()
    police.post(link, {"code": code})
    handover = Handover.objects.get()
    path = package_path(web.store, handover)
    leftover = path.with_name(".killed-build.zip.partial")
    leftover.write_bytes(b"decrypted")
    Handover.objects.filter(pk=handover.pk).update(expires_at=handover.created_at - timedelta(seconds=1))
    os.utime(leftover, (0, 0))  # a killed build's rest, untouched for long
    assert main(["station", "sweep", "--store", str(web.store.root)]) == 0
    assert not path.exists() and not leftover.exists()
    assert f"hand-over {number(handover)} expired: its package is deleted" in capsys.readouterr().out
    assert police.get(f"{link}package.zip").status_code == 302
    assert police.get(link).status_code == 410
    assert Handover.objects.get().status == "expired" and "handover-expired" in actions(web)


def test_a_revoked_hand_over_is_refused_and_its_package_deleted(web):
    from station.handover import package_path
    from station.models import Handover

    first, _ = recordings(web)
    window(web, first)
    link, code = issued(web, case_with(web, first), [first])
    handover = Handover.objects.get()
    officer = web.client("evidence-officer")
    assert "Polizeipräsidium Duisburg" in officer.get("/handovers/").content.decode()
    assert officer.post(f"/handovers/{handover.pk}/revoke/").status_code == 302
    assert not package_path(web.store, handover).exists()
    assert anonymous().post(link, {"code": code}).status_code == 410
    assert officer.post(f"/handovers/{handover.pk}/revoke/").status_code == 302, "twice: a message, no error"
    assert actions(web).count("handover-revoked") == 1


@pytest.mark.parametrize("link", ["x", "A" * 43, "A" * 44, "../../etc/passwd", "%00" * 20])
def test_an_unknown_or_malformed_link_is_a_404(web, link):
    assert anonymous().get(f"/handover/{link}/").status_code == 404
    assert anonymous().get(f"/handover/{link}/package.zip").status_code == 404


def test_a_recording_that_cannot_be_decrypted_makes_no_package_and_a_custody_line(web, tmp_path):
    from station.web.app import served
    from storage.keys import create_agency_keys

    first, _ = recordings(web)
    window(web, first)
    case = case_with(web, first)
    key, _ = create_agency_keys(tmp_path / "foreign")
    served().agency_key_path, served()._agency = key, None  # a key from before a key change
    response = web.client("evidence-officer").post(f"/cases/{case.pk}/handover/", {
        "recipient": recipient().pk, "recordings": [first.pk], "days": 7})
    assert response.status_code == 400 and "Die Übergabe kann nicht erstellt werden" in response.content.decode()
    assert not any_handover() and "handover-failed" in actions(web)
    from station.models import CustodyEntry

    reason = CustodyEntry.objects.get(action="handover-failed").details["reason"]
    assert "No such file" not in reason and reason, "the decryption's reason, not a clean-up's"
    assert list((web.store.root / "private" / "handover").iterdir()) == []


def test_a_recipient_named_beyond_latin_1_still_gets_a_readable_sheet(web):
    first, _ = recordings(web)
    window(web, first)
    link, code = issued(web, case_with(web, first), [first], to=recipient("Prokuratura Łódź 🚓"))
    police = anonymous()
    police.post(link, {"code": code})
    package = b"".join(police.get(f"{link}package.zip").streaming_content)
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert archive.read("uebergabeprotokoll.pdf").startswith(b"%PDF")


def test_a_link_is_valid_for_one_hour_to_thirty_days(web):
    from django.contrib.auth.models import User

    from station.handover import HandoverError, issue
    from station.models import Case, Recipient
    from station.web.app import served

    first, _ = recordings(web)
    window(web, first)
    case_with(web, first)
    officer = User.objects.get(username="evidence-officer")
    served_key = served().agency_key
    to = recipient()
    for valid_for, allowed in ((timedelta(minutes=59), False), (timedelta(hours=1), True),
                               (timedelta(days=30), True), (timedelta(days=30, seconds=1), False)):
        if allowed:
            issue(web.store, Case.objects.get(), to, [first], officer, valid_for, served_key, first.received_at,
                  {first.pk})
        else:
            with pytest.raises(HandoverError, match=r"1 (to|bis) 30"):
                issue(web.store, Case.objects.get(), Recipient.objects.get(), [first], officer, valid_for,
                      served_key, first.received_at, {first.pk})


def test_the_package_is_private_its_size_exact_and_its_name_the_hand_overs_number(web):
    import stat

    from station.handover import number, package_path
    from station.models import Handover

    first, _ = recordings(web)
    window(web, first)
    link, code = issued(web, case_with(web, first), [first])
    handover = Handover.objects.get()
    path = package_path(web.store, handover)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600 and stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    police = anonymous()
    police.post(link, {"code": code})
    response = police.get(f"{link}package.zip")
    package = b"".join(response.streaming_content)
    assert handover.package_bytes == len(package) == path.stat().st_size
    assert re.fullmatch(r'attachment; filename="Uebergabe-[0-9A-F]{8}\.zip"', response["Content-Disposition"])
    assert number(handover) in response["Content-Disposition"]


def test_a_recording_beyond_four_gigabytes_fits_the_package(web, monkeypatch):
    """ZIP64 for every entry: an hour of 720p is several GB; here the ZIP's 4 GB limit is lowered instead."""
    import zipfile

    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 1000)
    first, _ = recordings(web)
    window(web, first)
    link, code = issued(web, case_with(web, first), [first])
    police = anonymous()
    police.post(link, {"code": code})
    with zipfile.ZipFile(io.BytesIO(b"".join(police.get(f"{link}package.zip").streaming_content))) as archive:
        assert archive.testzip() is None


def test_an_ended_hand_over_stays_as_it_ended_and_its_code_opens_nothing(web):
    from station.handover import redeem
    from station.models import Handover

    first, _ = recordings(web)
    window(web, first)
    link, code = issued(web, case_with(web, first), [first])
    handover = Handover.objects.get()
    web.client("evidence-officer").post(f"/handovers/{handover.pk}/revoke/")
    handover.refresh_from_db()
    assert not redeem(web.store, handover, code, "192.0.2.1", handover.created_at), "revoked: the right code too"
    Handover.objects.filter(pk=handover.pk).update(expires_at=handover.created_at)
    assert anonymous().get(link).status_code == 410
    assert Handover.objects.get().status == "revoked" and "handover-expired" not in actions(web)


def test_the_sweep_keeps_a_package_being_built_and_a_ready_one_however_old(web):
    from station.handover import sweep
    from station.models import Handover
    from station.store import now

    first, _ = recordings(web)
    window(web, first)
    issued(web, case_with(web, first), [first])
    ready = next((web.store.root / "private" / "handover").glob("*.zip"))
    building = ready.with_name(".being-built.zip.partial")
    building.write_bytes(b"in progress")
    stale = ready.with_name(".killed.zip.partial")
    stale.write_bytes(b"killed")
    long_ago = now().timestamp() - 11 * 60
    for path in (ready, stale):
        os.utime(path, (long_ago, long_ago))
    os.utime(building, (long_ago + 2 * 60, long_ago + 2 * 60))  # 9 minutes: a long export still writing
    sweep(web.store, now())
    assert ready.exists() and building.exists() and not stale.exists()
    assert Handover.objects.get().status == "ready"


def test_a_recipient_with_a_long_name_is_a_custody_actor_of_at_most_100_characters(web):
    first, _ = recordings(web)
    window(web, first)
    link, code = issued(web, case_with(web, first), [first], to=recipient("Polizeipräsidium " + "X" * 150))
    anonymous().post(link, {"code": code})
    actors = {actor for actor, action, _ in web.custody() if action == "handover-opened"}
    assert [len(actor) for actor in actors] == [100]
