"""Telling a camera its wearer at check-out and check-in: the officer's pseudonym (never the name), or
nobody, signed by the station key, sent over the pinned SSH channel to the camera's assignment session
(firmware/offload_cli.py), which keeps it; the firmware writes it into its signed audit log.

The station's assignment record stays the authority (station.attribution): a camera out of reach is
said at the dock and in the custody log, and its recordings then show the camera's silence or its older
word beside the station's."""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.utils.translation import gettext as _

from station.models import Device, Officer
from station.paths import CAMERA_BODYCAM, CAMERA_DATA
from station.ssh import CONNECT_TIMEOUT_S, Connection, ConnectionFailed
from station.store import Store, now
from storage.assignment import sign_assignment

ANSWER_TIMEOUT_S = 30.0
"""The camera checks one signature and writes one small file."""


@dataclass(frozen=True)
class Reach:
    """How the dock reaches its cameras (the offload's options: ``bodycam station dock --identity …``)."""

    identity: Path | None = None
    data_dir: str = CAMERA_DATA
    remote_bodycam: str = CAMERA_BODYCAM
    connect_timeout_s: int = CONNECT_TIMEOUT_S


def tell_camera(store: Store, device: Device, officer: Officer | None, since: datetime, reach: Reach,
                who: str) -> str | None:
    """Give ``device`` its wearer (None: checked in). None when the camera kept it; else why not, in one
    line. Either way a custody line."""
    pseudonym = officer.pseudonym if officer is not None else None
    signed = sign_assignment(pseudonym, since.isoformat(), device.key_id, store.station_key(), now().isoformat())
    identity = reach.identity or (store.ssh_identity if store.ssh_identity.exists() else None)
    try:
        with Connection(device.host, device.port, device.ssh_user, device.host_key, identity,
                        reach.connect_timeout_s) as ssh:
            session = ssh.session([reach.remote_bodycam, "assignment-session", "--data-dir",
                                   reach.data_dir.rstrip("/")])
            try:
                with contextlib.suppress(BrokenPipeError):  # ssh ended already: its error output says why
                    session.send_line(json.dumps(signed))
                answer = json.loads(session.read_line(ANSWER_TIMEOUT_S))
            finally:
                session.close()
        why = _refusal(answer, pseudonym)
    except ConnectionFailed as exc:
        why = str(exc)
    except OSError as exc:
        why = f"{device.host}: {exc.strerror or exc}"
    except ValueError:
        why = f"{device.name}: the camera's answer is not JSON"
    person = officer.personnel_number if officer is not None else None
    if why is None:
        store.log("camera-told", device.name, who, officer=person, pseudonym=pseudonym)
    else:
        store.log("camera-not-told", device.name, who, officer=person, why=why[:300])
    return why


def _refusal(answer: object, pseudonym: str | None) -> str | None:
    if isinstance(answer, dict) and answer == {"accepted": pseudonym}:
        return None
    if isinstance(answer, dict) and isinstance(answer.get("refused"), str):
        return _("the camera refused it: %(why)s") % {"why": answer["refused"][:200]}
    return _("the camera answered %(answer)s") % {"answer": json.dumps(answer)[:100]}
