"""Hand-over package creation for a 10-minute 720p30 recording (real H.264 at 8 Mbit/s, as the evidence
bench): verify again, decrypt and remux to MP4, copy into the ZIP with its hash, write the report and the
PDF sheet; against ``cp`` of the recording's stored bytes to one file, in paired rounds."""

from __future__ import annotations

import itertools
import shutil
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.evidence import HEIGHT, WIDTH, h264_gops
from bench.operations import make_device
from bench.recording import FPS
from bench.table import Paired, Row, paired_rounds
from station.database import setup_django
from tests.web import serve, test_environment

MINUTES = 10
ROUNDS = 3


def package_vs_cp(directory: Path) -> tuple[Paired, float]:
    """Seconds per package and per ``cp``, and the recording's stored megabytes."""
    setup_django()
    from django.contrib.auth.models import User

    from station.cases import attach, open_case
    from station.handover import issue, revoke
    from station.models import Recipient
    from station.store import now
    from station.web.app import served

    streams: dict[str, dict[str, object]] = {"video": {"codec": "h264", "width": WIDTH, "height": HEIGHT, "fps": FPS}}
    data = make_device(directory, MINUTES, itertools.cycle(h264_gops()), streams)
    shutil.copy(data / "office" / "agency.key", data / "keys" / "agency.key")
    test_environment()
    web = serve(data, directory / "store")
    store, recording = web.store, web.recording
    officer = store.db.query(User).get(username="evidence-officer")
    case = open_case(store, "BENCH 1/2026", "strafanzeige", officer, "bench")
    attach(store, case, recording, "bench")
    recipient = store.db.query(Recipient).create(name="Polizeipräsidium (Messung)", kind=Recipient.POLICE)
    agency = served().agency_key()
    stored = store.recording_dir(recording.device.key_id, recording.recording_id)
    copy = directory / "copy"

    def ours() -> float:
        start = time.perf_counter()
        issued = issue(store, case, recipient, [recording], officer, timedelta(days=1), lambda: agency, now(),
                       {recording.pk})
        seconds = time.perf_counter() - start
        revoke(store, issued.handover, "bench", now())
        return seconds

    def baseline() -> float:
        start = time.perf_counter()
        subprocess.run(["cp", "-r", str(stored), str(copy)], check=True)
        seconds = time.perf_counter() - start
        shutil.rmtree(copy)
        return seconds

    rounds = paired_rounds(ours, baseline, ROUNDS)
    return rounds, sum(f.stat().st_size for f in stored.iterdir()) / 1e6


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as directory:
        rounds, megabytes = package_vs_cp(Path(directory))
    return [Row.paired(f"hand-over package of a {MINUTES} min 720p30 recording ({megabytes:.0f} MB): verify, "
                       "export, ZIP with SHA-256, report, PDF sheet", "s", rounds,
                       "cp -r of its stored folder")]
