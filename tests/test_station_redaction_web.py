"""Redaction in the evidence office, through the pages: an evidence officer starts one under an approved
window, the job runner finds the faces in a real recording (the simulator's camera saw scikit-image's
test pictures), the officer reviews, an approver who did neither approves, the officer takes the copy out;
each step a custody line and the recording itself unchanged. Then who may not, a recording that fails
verification, plans that are not plans, and the recording's deletion taking its copies with it."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest

from station.jobs import Runner, attach
from station.redaction.plan import Plan
from station.redactions import analyse_job, render_job, review, source_path
from tests.test_station_handover import window
from tests.web import serve, serve_copy

SCENARIO = "0 press display\n1 press record\n5 hold record 3\n9 end\n"


@pytest.fixture(scope="module")
def faces_camera(tmp_path_factory):
    """A camera whose recording saw the astronaut and the cameraman walking across a photograph."""
    from station.redaction.scene import make_scene
    from tests.recordings import record, short_config

    folder = tmp_path_factory.mktemp("faces")
    scene = make_scene(folder / "scene.mp4", seconds=10.0)  # longer than the recording: it does not loop
    record(folder / "camera", SCENARIO, short_config(sim={"camera_width": 640, "camera_height": 360}),
           camera_source=scene.path)
    return folder / "camera"


@pytest.fixture(scope="module")
def faces_store(faces_camera, tmp_path_factory):
    root = tmp_path_factory.mktemp("faces-store") / "store"
    serve(faces_camera, root).store.db.close()
    return root


@pytest.fixture
def office(faces_store, faces_camera, tmp_path):
    """A fresh copy of the store, served, with the job runner attached in this process (the tests run
    each job where the runner would)."""
    from station.web.app import served

    web = serve_copy(faces_store, tmp_path / "store", faces_camera)
    attach(Runner(web.store, served().agency_key))
    return web


def started(web, purpose: str = "Auskunft nach Art. 15 DSGVO an die gefilmte Person"):
    from station.models import Redaction

    window(web, web.recording)
    response = web.client("evidence-officer").post(f"/recordings/{web.recording.pk}/redact/", {"purpose": purpose})
    assert response.status_code == 302, response.content[:500]
    return Redaction.objects.latest("pk")


def fresh(row):
    row.refresh_from_db()
    return row


def test_a_redaction_is_found_reviewed_approved_by_a_second_person_and_taken_out_with_the_original_unchanged(
        office):
    import stat

    from django_q.models import OrmQ

    from station.models import Redaction
    from station.redactions import folder
    from station.stored import source, verified

    before = dict(office.recording.files)
    row = started(office)
    assert OrmQ.objects.count() == 1, "queued in the store's database for the runner"
    analyse_job(row.pk, row.attempt)
    assert fresh(row).status == Redaction.REVIEW and row.frames > 100
    made = folder(office.store, row)
    for private in (made, made.parent, made.parent.parent):
        assert stat.S_IMODE(private.stat().st_mode) == 0o700, "the analysis made them the station's alone"
    officer = office.client("evidence-officer")
    page = officer.get(f"/redactions/{row.pk}/").content.decode()
    assert 'id="review"' in page and "Gefundene Gesichter" in page
    faces = json.loads(b"".join(officer.get(f"/redactions/{row.pk}/faces.json").streaming_content))
    assert len(faces["faces"]) == 2 and faces["width"] == 640
    assert officer.get(f"/redactions/{row.pk}/source.mp4").status_code == 200
    her = next(f["number"] for f in faces["faces"] if f["boxes"][0][0] < 320)
    plan = {"visible": [her], "boxes": [{"span": [1.0, 2.0], "start": [10, 10, 60, 40], "end": [100, 10, 150, 40]}],
            "muted": [[0.5, 1.5]], "whole": [], "mute_all": False, "style": "blur", "margin": 0.5}
    assert officer.post(f"/redactions/{row.pk}/review/", {"plan": json.dumps(plan)}).status_code == 302
    assert fresh(row).status == Redaction.QUEUED and OrmQ.objects.count() == 2
    render_job(row.pk, row.attempt)
    assert fresh(row).status == Redaction.AWAITING and len(row.sha256) == 64 and row.covered_frames > 0
    import av

    with av.open(str(office.store.root / "private" / "redactions" / str(row.pk) / "redacted.mp4")) as copy:
        said = json.loads(copy.metadata["comment"])
    assert said["redacted_copy_of"] == office.recording.recording_id and said["source_files_blake2b"] == before
    assert said["plan"] == plan, "the file says where it came from and what was done to it"
    approver = office.client("approver")
    page = approver.get(f"/redactions/{row.pk}/").content.decode()
    assert 'id="derivative"' in page and 'name="decision"' in page
    assert approver.post(f"/redactions/{row.pk}/decide/", {"decision": "approve", "note": ""}).status_code == 302
    assert fresh(row).status == Redaction.APPROVED and not source_path(office.store, row).exists()
    copy_mode = (office.store.root / "private" / "redactions" / str(row.pk) / "redacted.mp4").stat().st_mode
    assert copy_mode & 0o777 == 0o600, "the copy is the station's alone"
    download = officer.post(f"/redactions/{row.pk}/download/")
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == row.sha256
    steps = [action for _, action, _ in office.custody() if action.startswith("redaction-")]
    assert steps == ["redaction-created", "redaction-analysed", "redaction-viewed", "redaction-reviewed",
                     "redaction-rendered", "redaction-viewed", "redaction-approved", "redaction-exported"]
    assert fresh(office.recording).files == before
    assert verified(source(office.store, office.recording)).problems == [], "the original verifies as before"


def test_only_an_approver_who_neither_made_nor_reviewed_it_decides_and_nobody_else_reaches_it(office):
    from station.models import Redaction
    from station.redactions import RedactionError, decide

    row = started(office)
    analyse_job(row.pk, row.attempt)
    office.client("evidence-officer").post(f"/redactions/{row.pk}/review/", {"plan": "{}"})
    render_job(fresh(row).pk, row.attempt)
    assert fresh(row).status == Redaction.AWAITING
    with pytest.raises(RedactionError, match="made or reviewed it"):
        decide(office.store, row, row.created_by, True, "")
    worker = office.client("case-worker")
    for url in (f"/redactions/{row.pk}/", f"/redactions/{row.pk}/redacted.mp4", "/redactions/"):
        assert worker.get(url).status_code == 403
    assert office.client("approver").post(f"/recordings/{office.recording.pk}/redact/",
                                          {"purpose": "x"}).status_code == 403
    assert office.client("data-protection").get(f"/redactions/{row.pk}/redacted.mp4").status_code == 403
    assert office.client("data-protection").get("/redactions/").status_code == 200
    refused = [subject for actor, action, subject in office.custody() if action == "access-refused"]
    assert f"/redactions/{row.pk}/redacted.mp4" in refused and "/redactions/" in refused


def test_without_an_open_window_no_redaction_is_started_or_reviewed(office):
    from django.utils import timezone

    from station.models import ViewRequest

    row = started(office)
    analyse_job(row.pk, row.attempt)
    ViewRequest.objects.update(window_until=timezone.now() - timedelta(seconds=1))
    officer = office.client("evidence-officer")
    assert officer.post(f"/recordings/{office.recording.pk}/redact/", {"purpose": "x"}).status_code == 403
    assert officer.get(f"/redactions/{row.pk}/source.mp4").status_code == 403
    assert officer.post(f"/redactions/{row.pk}/review/", {"plan": "{}"}).status_code == 403


def test_a_recording_that_fails_verification_is_not_redacted_and_the_page_says_why(office):
    from station.models import Redaction

    row = started(office)
    segment = next(office.store.recording_dir(office.device.key_id, office.recording.recording_id).glob("seg-*.bcs"))
    data = bytearray(segment.read_bytes())
    data[-100] ^= 0xFF
    segment.write_bytes(bytes(data))
    analyse_job(row.pk, row.attempt)
    assert fresh(row).status == Redaction.FAILED and row.failure_kind == "unverified" and "verif" in row.failure
    page = office.client("evidence-officer").get(f"/redactions/{row.pk}/").content.decode()
    assert "fehlgeschlagen" in page and "Die Aufnahme ließ sich nicht prüfen, entschlüsseln oder auslesen" in page
    assert not source_path(office.store, row).exists(), "nothing decrypted is left behind"
    assert ("job-runner", "redaction-failed", office.recording.ref) in office.custody()


@pytest.mark.parametrize("plan, said", [
    ("[]", "plan: a JSON object is expected"),
    ('{"visible": "1"}', "visible: a list of at most 200 is expected"),
    ('{"boxes": [{"span": [2, 1], "start": [0, 0, 10, 10]}]}', "boxes[0].span: ends before it starts"),
    ('{"boxes": [{"span": [0, 1], "start": [0, 0, 10]}]}', "boxes[0].start: [x0, y0, x1, y1] in pixels"),
    ('{"boxes": [{"span": [0, 1], "start": [0, 0, 10, 9999]}]}',
     "boxes[0].start: &#x27;9999&#x27; is not a number from 0 to 360"),
    ('{"muted": [[0, 1e309]]}', "muted[0]: &#x27;inf&#x27; is not a number"),
    ('{"style": "<script>"}', "style: &#x27;&lt;script&gt;&#x27; is not one of blur, box"),
    ('{"mute_all": "yes"}', "mute_all: true or false is expected"),
    ('{"margin": 3}', "margin: &#x27;3&#x27; is not a number from 0 to 1"),
    ('{"faces": []}', "plan: &#x27;faces&#x27; is not part of a plan"),
    ("{not json", "kamen nicht vollständig an"),
])
def test_a_plan_that_is_not_one_is_refused_naming_the_field_and_changes_nothing(office, plan, said):
    from station.models import Redaction
    from station.redactions import tracks_path

    row = started(office)  # its faces as the runner writes them, without running it: only the form is tested
    tracks_path(office.store, row).parent.mkdir(parents=True)
    tracks_path(office.store, row).write_text('{"width": 640, "height": 360, "frames": 240, "fps": 30, '
                                              '"start_s": 0, "faces": []}')
    Redaction.objects.filter(pk=row.pk).update(status=Redaction.REVIEW, frames=240)
    officer = office.client("evidence-officer")
    response = officer.post(f"/redactions/{row.pk}/review/", {"plan": plan}, follow=True)
    assert response.status_code == 200 and said in response.content.decode()
    assert fresh(row).status == Redaction.REVIEW and row.plan == {}


def test_the_purge_deletes_a_recordings_redactions_with_it(office):
    from datetime import UTC, datetime

    from station.models import Redaction
    from station.redactions import folder
    from station.retention import purge

    row = started(office)
    analyse_job(row.pk, row.attempt)
    assert folder(office.store, row).is_dir()
    result = purge(office.store, timedelta(days=0), at=datetime.now(UTC) + timedelta(days=30), who="test",
                   review=timedelta(0))
    assert office.recording.ref in result.deleted
    assert fresh(row).status == Redaction.DELETED
    assert not (office.store.root / "private" / "redactions" / str(row.pk)).exists()
    assert ("test", "redaction-deleted", office.recording.ref) in office.custody()


def test_a_stale_or_ended_job_changes_nothing_and_a_changed_recording_fails_the_analysis(office):
    from types import SimpleNamespace

    from station.models import Recording, Redaction
    from station.redactions import job_ended

    row = started(office)
    steps = len(office.custody())
    analyse_job(row.pk, row.attempt + 1)  # an older run's task, or a newer one's: not this row's
    render_job(row.pk, row.attempt + 1)
    assert fresh(row).status == Redaction.QUEUED and len(office.custody()) == steps
    job_ended(SimpleNamespace(success=True, args=(row.pk, row.attempt), result=None))
    job_ended(SimpleNamespace(success=False, args=(row.pk, row.attempt + 1), result="killed"))
    assert fresh(row).status == Redaction.QUEUED, "a job that ended well, or another run's, fails nothing"
    job_ended(SimpleNamespace(success=False, args=(row.pk, row.attempt), result=""))
    assert fresh(row).status == Redaction.FAILED and row.failure == "stopped: no result"
    second = started(office)
    Recording.objects.filter(pk=office.recording.pk).update(files={"seg-000001.bcs": "0" * 64})
    analyse_job(second.pk, second.attempt)
    assert fresh(second).failure_kind == "changed" and not source_path(office.store, second).exists()


def test_the_page_is_told_the_share_done_and_the_time_left_at_most_once_a_second(office, monkeypatch):
    import station.redactions as redactions

    row = started(office)
    clock = iter([100.0, 100.5, 102.0, 102.5, 104.0])
    monkeypatch.setattr(redactions.time, "monotonic", lambda: next(clock))
    report = redactions._reporter(office.store, row)
    report(10, 100)  # half a second in: not yet
    assert (fresh(row).progress, row.seconds_left) == (0.0, None)
    report(25, 100)
    assert (fresh(row).progress, row.seconds_left) == (25.0, 6.0), "2 s for a quarter: 6 s for the rest"
    report(90, 0)  # the file does not say how many: nothing said
    assert fresh(row).progress == 25.0
    report(200, 100)
    assert (fresh(row).progress, row.seconds_left) == (100.0, 0.0)


def test_a_plan_says_only_what_it_says_and_a_review_starts_a_new_run(office):
    from station.models import Redaction
    from station.redactions import plan_from, tracks_path

    assert plan_from({}, 10.0, 640, 360) == Plan(), "nothing visible, nothing drawn, nothing muted, blur"
    row = started(office)
    tracks_path(office.store, row).parent.mkdir(parents=True)
    tracks_path(office.store, row).write_text('{"width": 640, "height": 360, "faces": []}')
    Redaction.objects.filter(pk=row.pk).update(status=Redaction.REVIEW)
    before = fresh(row).attempt
    review(office.store, row, row.created_by, {})
    assert fresh(row).attempt == before + 1 and row.status == Redaction.QUEUED
