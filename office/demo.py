"""``bodycam station demo``: a store filled from simulated recordings, with one user per role.

Everything here is DEMO data: the cameras are simulators, the keys are the simulator's TEST keys (the
agency key lies in the store so that playback works), and the passwords are printed. Never use a demo
store for real evidence.
"""

from __future__ import annotations

import getpass
import io
import os
import shutil
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from firmware.config import Config, override
from office.demo_serve import SIM_CAMERA
from sim.headless import run_scenario
from sim.scenario import parse
from station.accept import accept
from station.cases import attach, open_case
from station.database import setup_django
from station.kiosk import pin_hash
from station.officers import apply, read
from station.paths import web_secret
from station.registry import enrol
from station.retention import hold
from station.roles import ADMIN, APPROVER, CASE_WORKER, CONTROL_ROOM, DATA_PROTECTION, EVIDENCE_OFFICER, KIOSK
from station.store import Store, now
from station.web.users import add_user

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from station.models import Recording

USERS = [
    ("admin", [ADMIN]),
    ("sachbearbeitung", [CASE_WORKER]),
    ("leitung", [APPROVER]),
    ("asservate", [EVIDENCE_OFFICER]),
    ("datenschutz", [DATA_PROTECTION]),
    ("terminal", [KIOSK]),
    ("leitstelle", [CONTROL_ROOM]),
]
BROKER_HOST = "127.0.0.1"
"""Where the demo's broker for the control room listens (mosquitto, started by ``bodycam station demo-serve``)."""
KIOSK_PIN = ("10473", "2468")
"""Clara Nowak's kiosk PIN: she returns cam-demo-02 at the kiosk (log in as ``terminal``)."""
EPISODE = "0 press display\n25 press display\n30 end\n"
RECORDING = "0 press display\n4 press record\n9 press record\n15 press record\n22 hold record 3\n30 end\n"
DANGER = "0 hold record 2\n14 hold record 3\n22 end\n"
FACES_SECONDS = 8
FACES = "0 press display\n1 press record\n6 hold record 3\n10 end\n"
"""The recording the demo's redaction is made of: about 8 s."""
OFFICERS = """personalnummer;name;team;ausweise;aktiv
10471;Anna Berg;KOD Mitte;04A1B2C3D4E5F6;ja
10472;Ben Kaya;KOD Nord;04112233445566;ja
10473;Clara Nowak;KOD Nord;DEADBEEF;ja
"""
"""The demo's personnel list (invented people), imported as a town's would be."""
WEARERS = ["10471", "10472"]
"""Who wore each camera on its shifts; camera 2's oldest recording stays unassigned (checked out to nobody)."""
SHIFTS = [  # (days ago, hour, scenario) per camera
    [(1, 9, RECORDING), (1, 11, EPISODE), (3, 8, EPISODE), (3, 14, DANGER), (9, 10, RECORDING), (12, 16, EPISODE)],
    [(2, 10, EPISODE), (2, 13, RECORDING), (5, 9, EPISODE), (5, 11, EPISODE), (20, 9, RECORDING)],
]


def make_demo(root: Path, database_url: str | None = None, broker_port: int = 8883
              ) -> list[tuple[str, str, list[str]]]:
    """Create the demo store at ``root`` (which must not exist yet); returns ``(user, password, roles)``."""
    setup_django()
    from django.conf import settings
    from django.contrib.auth.models import User

    from station.models import Device, OffloadRun, Recording, ViewRequest

    if root.exists() and any(root.iterdir()):
        raise FileExistsError(f"{root} exists: the demo makes a new store (remove it first)")
    store = Store.init(root, database_url)
    if not os.environ.get("BODYCAM_SECRET_KEY"):  # the settings were read before the store made its secret,
        settings.SECRET_KEY = web_secret(root)     # which the job queue signs its tasks with
    (root / "DEMO-STORE-TEST-KEYS.txt").write_text("DEMO store: simulated recordings, TEST keys. Not evidence.\n")
    users = []
    for number, (name, roles) in enumerate(USERS, start=1):
        password = f"demo-{name}-2026"
        add_user(store, name, roles, password, staff=ADMIN in roles, personnel_number=f"DEMO-{number:03d}")
        users.append((name, password, roles))
    with tempfile.TemporaryDirectory() as scratch:
        for number, shifts in enumerate(SHIFTS, start=1):
            data = _record(Path(scratch) / f"cam{number}", shifts)
            if number == 1:
                _record_faces(data, Path(scratch))
            device = enrol(store, f"cam-demo-{number:02d}", f"192.0.2.{10 + number}", 22, "bodycam",
                           (data / "keys" / "device.pub").read_text(), _host_key(), "0.1.0+demo", who="demo")
            incoming = store.incoming(device.key_id)
            shutil.copytree(data / "recordings", incoming / "recordings")
            shutil.copytree(data / "audit", incoming / "audit")
            accept(store, device)
            store.db.query(OffloadRun).create(device=device, started_at=now(), finished_at=now(), outcome="ok",
                                              camera_clock_offset_s=0.4 * number, battery_percent=81 - 17 * number,
                                              free_bytes=(21 - 6 * number) * 10**9, total_bytes=32 * 10**9,
                                              on_camera=0)
            store.db.query(Device).filter(pk=device.pk).update(last_offload_at=now())
            if number == 1:
                shutil.copy(data / "keys" / "agency.key", root / "keys" / "agency.key")  # TEST key: playback
    recordings = list(store.db.query(Recording).order_by("started_utc"))
    people = {u.username: u for u in store.db.query(User).all()}
    newest, older = recordings[-1], recordings[0]
    store.db.query(ViewRequest).create(recording=newest, requester=people["sachbearbeitung"], created_at=now(),
                                       purpose="Anzeige wegen Beleidigung: Ablauf prüfen", case_number="OA-2026-0815",
                                       status=ViewRequest.APPROVED, decided_by=people["leitung"], decided_at=now(),
                                       window_until=now() + timedelta(hours=24))
    store.db.query(ViewRequest).create(recording=older, requester=people["sachbearbeitung"], created_at=now(),
                                       purpose="Beschwerde eines Bürgers", case_number="OA-2026-0816")
    hold(store, older.ref, "Ermittlungsverfahren", "StA 12 Js 345/26", who="asservate")
    _handover_ready(store, older, people)
    _shifts(store)
    _control_room(store, root, broker_port)
    _redaction_awaiting_approval(store, people)
    return users


def _shifts(store: Store) -> None:
    """The personnel list, who wore which camera on each shift, one recording made by a camera checked out
    to nobody, and cam-demo-02 out with Clara Nowak since 13 hours: overdue on the dock page; she has a
    kiosk PIN."""
    from station.models import Assignment, Device, Officer

    with tempfile.TemporaryDirectory() as scratch:
        listed = Path(scratch) / "personal.csv"
        listed.write_text(OFFICERS, encoding="utf-8")
        apply(store, read(listed), "demo", now())
    today = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for number, (shifts, wearer) in enumerate(zip(SHIFTS, WEARERS, strict=True), start=1):
        device = store.db.query(Device).get(name=f"cam-demo-{number:02d}")
        officer = store.db.query(Officer).get(personnel_number=wearer)
        worn = shifts[:-1] if number == 2 else shifts
        for days in sorted({days for days, _, _ in worn}):
            hours = [hour for day, hour, _ in worn if day == days]
            start = today.replace(hour=min(hours)) - timedelta(days=days, hours=1)
            store.db.query(Assignment).create(device=device, officer=officer, started_at=start, started_by="badge",
                                              ended_at=start + timedelta(hours=max(hours) - min(hours) + 3),
                                              ended_by="badge")
    store.db.query(Assignment).create(device=store.db.query(Device).get(name="cam-demo-02"), started_by="badge",
                                      officer=store.db.query(Officer).get(personnel_number="10473"),
                                      started_at=now() - timedelta(hours=13))
    store.db.query(Officer).filter(personnel_number=KIOSK_PIN[0]).update(pin=pin_hash(KIOSK_PIN[1]))


def _control_room(store: Store, root: Path, port: int) -> None:
    """The broker's files, the simulator's certificate as cam-demo-01 with its ``[control_room]``, and what
    cam-demo-02 said before it went out of network: a low battery."""
    from station.models import ControlRoomMessage, Device
    from station.mqtt_broker import broker_files, camera_files

    host = BROKER_HOST
    broker_files(store, root / "broker", host, port, now(), user=getpass.getuser())
    folder = root / SIM_CAMERA
    camera_files(store, store.db.query(Device).get(name="cam-demo-01"), folder, now(), "demo")
    (folder / "config.toml").write_text(f'# the demo broker (bodycam station demo-serve)\n[control_room]\n'
                                        f'enabled = true\nhost = "{host}"\nport = {port}\n', encoding="utf-8")
    said = now() - timedelta(minutes=40)
    for kind, minutes, fields in (("online", 0, {}), ("stage", 1, {"stage": "worn", "battery": 24.0}),
                                  ("battery-low", 30, {"battery": 19.0}), ("offline", 31, {})):
        at = said + timedelta(minutes=minutes)
        store.db.query(ControlRoomMessage).create(camera="cam-demo-02", kind=kind, utc=at, received_at=at, **fields)


def _handover_ready(store: Store, recording: Recording, people: dict[str, User]) -> None:
    """A criminal complaint's case with a recording the evidence officer may hand over (an approved
    window), and the police and prosecutor it may go to: the hand-over is one click away in the demo."""
    from station.models import Recipient, ViewRequest

    case = open_case(store, "StA 12 Js 345/26", "strafanzeige", people["asservate"], "asservate")
    attach(store, case, recording, "asservate")
    store.db.query(ViewRequest).create(recording=recording, requester=people["asservate"], created_at=now(),
                                       purpose="Übergabe an die Staatsanwaltschaft", case_number="StA 12 Js 345/26",
                                       status=ViewRequest.APPROVED, decided_by=people["leitung"], decided_at=now(),
                                       window_until=now() + timedelta(hours=24))
    for name, kind, contact in (
            ("Polizeipräsidium Duisburg", Recipient.POLICE, "kk11.duisburg@polizei.nrw.de"),
            ("Staatsanwaltschaft Duisburg", Recipient.PROSECUTOR, "poststelle@sta-duisburg.nrw.de")):
        store.db.query(Recipient).create(name=name, kind=kind, contact=contact)


def _record_faces(data: Path, scratch: Path) -> None:
    """cam-demo-01's recording of yesterday afternoon, in which the camera saw two faces (scikit-image's
    test pictures walking across a photograph): the one the demo's redaction is made of."""
    from station.redaction.scene import make_scene

    scene = make_scene(scratch / "faces.mp4", seconds=FACES_SECONDS + 2)
    config = override(Config(), storage={"data_dir": str(data)}, prerecord={"seconds": 1.0},
                      sim={"camera_width": scene.width, "camera_height": scene.height})
    run_scenario(parse(FACES), config, io.StringIO(), camera_source=scene.path, epoch=_faces_started())


def _faces_started() -> datetime:
    return datetime.now(UTC).replace(hour=15, minute=0, second=0, microsecond=0) - timedelta(days=1)


def _redaction_awaiting_approval(store: Store, people: dict[str, User]) -> None:
    """A redaction of that recording for a person's access request, its faces found and covered, reviewed
    by the evidence officer and waiting for the approver (``leitung``): the jobs done here, in the demo's
    own process, and nothing left in the queue."""
    from django_q.models import OrmQ

    from station.jobs import Runner, attach
    from station.models import Recording, ViewRequest
    from station.redactions import analyse_job, create, render_job, review
    from storage.keys import load_agency_private

    recording = store.db.query(Recording).get(started_utc__gte=_faces_started() - timedelta(minutes=1),
                                             started_utc__lt=_faces_started() + timedelta(minutes=5))
    grant = store.db.query(ViewRequest).create(
        recording=recording, requester=people["asservate"], created_at=now(), case_number="DS-2026-0042",
        purpose="Auskunft nach Art. 15 DSGVO: Kopie für die gefilmte Person", status=ViewRequest.APPROVED,
        decided_by=people["leitung"], decided_at=now(), window_until=now() + timedelta(hours=24))
    attach(Runner(store, lambda: load_agency_private(store.root / "keys" / "agency.key")))
    row = create(store, grant, people["asservate"], "Auskunft nach Art. 15 DSGVO an die gefilmte Person "
                                                     "(DS-2026-0042): Unbeteiligte unkenntlich")
    analyse_job(row.pk, row.attempt)
    row.refresh_from_db()
    review(store, row, people["asservate"], {"visible": [], "muted": [[0.0, 1.0]]})
    render_job(row.pk, row.attempt)
    store.db.query(OrmQ).delete()


def _record(data: Path, shifts: list[tuple[int, int, str]]) -> Path:
    config = override(Config(), storage={"data_dir": str(data)}, prerecord={"seconds": 5.0})
    today = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    for days, hour, scenario in sorted(shifts, key=lambda s: (-s[0], s[1])):
        run_scenario(parse(scenario), config, io.StringIO(), epoch=today.replace(hour=hour) - timedelta(days=days))
    return data


def _host_key() -> str:
    """A well-formed SSH host key for the demo cameras (nobody connects to them)."""
    key = ed25519.Ed25519PrivateKey.generate().public_key()
    return key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH).decode()
