"""The job runner for real: ``bodycam station jobs`` (django-q2's cluster) takes a redaction from the
store's queue and does it; killed in the middle (a power cut at the station), the next start takes the job
up again and does it once; a job that runs past its timeout fails with the reason on the page."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.test_station_redaction_web import faces_camera, faces_store, office, started  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent


def runner(web, camera: Path, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "office", "station", "jobs", "--store", str(web.store.root),
                             "--agency-key", str(camera / "keys" / "agency.key")], cwd=ROOT,
                            env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def stop(process: subprocess.Popen[str]) -> str:
    """As systemd stops the unit (KillMode=mixed): SIGTERM to the runner, which ends its workers."""
    process.send_signal(signal.SIGTERM)
    try:
        out, _ = process.communicate(timeout=30)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # every worker ended with the runner
        else:
            raise AssertionError("a worker outlived the runner")
    return out


def cut_power(process: subprocess.Popen[str]) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.communicate(timeout=30)


def until(row, statuses: tuple[str, ...], seconds: float = 60) -> str:
    deadline = time.monotonic() + seconds
    while True:
        row.refresh_from_db()
        if row.status in statuses:
            return row.status
        assert time.monotonic() < deadline, f"still {row.status} after {seconds} s"
        time.sleep(0.02)


def test_a_job_killed_with_its_runner_is_taken_up_at_the_next_start_and_done_once(office, faces_camera):  # noqa: F811
    from station.models import Redaction

    row = started(office)
    first = runner(office, faces_camera)
    try:
        until(row, (Redaction.ANALYSING,))
        deadline = time.monotonic() + 30
        while not (row.progress > 0 and row.seconds_left is not None):  # the page's percentage and time left
            assert row.status == Redaction.ANALYSING and time.monotonic() < deadline, (row.status, row.progress)
            time.sleep(0.02)
            row.refresh_from_db()
    finally:
        cut_power(first)
    assert until(row, (Redaction.ANALYSING,)) == Redaction.ANALYSING, "left half done"
    second = runner(office, faces_camera)
    try:
        assert until(row, (Redaction.REVIEW, Redaction.FAILED)) == Redaction.REVIEW, row.failure
    finally:
        said = stop(second)
    assert "1 interrupted redaction(s) taken up again" in said, said
    assert [a for _, a, _ in office.custody()].count("redaction-analysed") == 1


def test_a_job_past_its_timeout_fails_and_says_so(office, faces_camera):  # noqa: F811
    from station.models import Redaction

    row = started(office)
    process = runner(office, faces_camera, BODYCAM_JOB_TIMEOUT_S="1")
    try:
        assert until(row, (Redaction.REVIEW, Redaction.FAILED)) == Redaction.FAILED
    finally:
        stop(process)
    assert row.failure_kind == "stopped"
    page = office.client("evidence-officer").get(f"/redactions/{row.pk}/").content.decode()
    assert "Der Auftrag wurde abgebrochen: Er lief über sein Zeitlimit" in page
