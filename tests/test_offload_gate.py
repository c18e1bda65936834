"""The station's SSH key on a camera runs the offload gate only: the requests the station's offload makes
pass, word for word as real rsync makes them, and nothing else does; over a real sshd, an offload with the
store's own key works through the gate, and a shell, a push or a read of the keys is refused."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from firmware.offload_gate import MAX_REQUEST, Admitted, Refused, admit
from fleet.device_install import Device
from office.cli import main
from station.store import Store
from tests.sshd import start_sshd
from tests.stations import BODYCAM, db_args, enrolled

DATA = "/var/lib/bodycam"
FAKE_SSH = "#!/bin/sh\n# rsync's remote shell: prints the request it would send\nshift\necho \"$@\" >&2\nexit 1\n"


BOTH = (f"{DATA}/recordings", f"{DATA}/audit")


def rsync_request(tmp_path: Path, *options: str, sources: tuple[str, ...] = BOTH) -> str:
    """What real rsync asks the camera to run for the station's pull (station/offload.py's options)."""
    fake = tmp_path / "fake-ssh"
    fake.write_text(FAKE_SSH)
    fake.chmod(0o755)
    run = subprocess.run(["rsync", "-rt", "--no-links", "--partial-dir=.rsync-partial", "-e", str(fake), *options,
                          *(f"camera:{source}" for source in sources), str(tmp_path / "into") + "/"],
                         capture_output=True, text=True)
    return run.stderr.splitlines()[0]


def test_the_offload_and_assignment_sessions_and_rsync_pulling_recordings_and_audit_pass(tmp_path):
    for name in ("offload-session", "assignment-session"):
        session = shlex.join(["/opt/bodycam/current/venv/bin/bodycam", name, "--data-dir", DATA])
        assert admit(session, DATA) == Admitted(session=name)
    for request in (rsync_request(tmp_path), rsync_request(tmp_path, "--bwlimit=500"),
                    rsync_request(tmp_path, "--max-size=1G", "--info=skip1", "--exclude=/recordings/x/"),
                    rsync_request(tmp_path, sources=(f"{DATA}/recordings/",)),  # stations before one transfer
                    rsync_request(tmp_path, sources=(f"{DATA}/audit/",))):
        admitted = admit(request, DATA + "/")
        assert admitted.argv == tuple(shlex.split(request)) and not admitted.session, request


@pytest.mark.parametrize("request_, names", [
    ("", "login shell"),
    ("sh", "'sh'"),
    ("cat /var/lib/bodycam/keys/device.key", "'cat'"),
    (f"bodycam offload-session --data-dir {DATA}; rm -rf /", "'bodycam'"),
    ("bodycam offload-session --data-dir /", "'bodycam'"),
    (f"python3 offload-session --data-dir {DATA}", "'python3'"),
    ("bodycam assignment-session --data-dir /", "'bodycam'"),
    (f"bodycam config-session --data-dir {DATA}", "'bodycam'"),
    (f"rsync --server -tre.iLsfxCIvu . {DATA}/recordings/", "only the offload and the assignment session"),
    (f"rsync --server --sender -tre.iLsfxCIvu --remove-source-files . {DATA}/recordings/", "--remove-source-files"),
    (f"rsync --server --sender -tre.iLsfxCIvu -L . {DATA}/recordings/", "'-L'"),
    (f"rsync --server --sender -tre.iLsfxCIvu . {DATA}/keys/", "keys"),
    (f"rsync --server --sender -tre.iLsfxCIvu . {DATA}/recordings/../keys/", "only"),
    (f"rsync --server --sender -tre.iLsfxCIvu . {DATA}/recordings/ {DATA}/keys/", "only"),
    (f"rsync --server --sender -tre.iLsfxCIvu . {DATA}/recordings {DATA}/keys", "only"),
    (f"rsync --server --sender -tre.iLsfxCIvu . {DATA}/recordings {DATA}/audit {DATA}/keys", "only"),
    (f"rsync --server --sender -tre.iLsfxCIvu . {DATA}/audit {DATA}/recordings", "only"),
    (f"rsync --server --sender -tre.iLsfxCIvu . {DATA}/recordings", "only"),
    (f"rsync --server --sender -tre.iLsfxCIvu . {DATA}", "only"),
    (f"rsync --server --sender -tre.iLsfxCIvu {DATA}/recordings {DATA}/audit", "only"),
    ("rsync --server --sender", "only"),
    ("bodycam 'unbalanced", "unbalanced quotes"),
    ("x" * (MAX_REQUEST + 1), f"at most {MAX_REQUEST}"),
])
def test_anything_else_is_refused_naming_what(request_, names):
    with pytest.raises(Refused) as refused:
        admit(request_, DATA)
    assert names in str(refused.value)


def test_the_store_key_offloads_through_the_gate_and_may_do_nothing_else(device, tmp_path, capsys):
    """The camera's installer writes the authorized_keys line; a real sshd enforces it."""
    prefix = tmp_path / "camera"
    bodycam = prefix / "opt/bodycam/current/venv/bin/bodycam"
    bodycam.parent.mkdir(parents=True)
    bodycam.symlink_to(BODYCAM)
    (prefix / "var/lib").mkdir(parents=True)
    device.rename(prefix / "var/lib/bodycam")
    data = prefix / "var/lib/bodycam"
    store = Store.init(tmp_path / "store")
    stage = tmp_path / "stage"
    stage.mkdir()
    (stage / "station-ssh.pub").write_text(store.ssh_identity.with_suffix(".pub").read_text())
    installer = Device(str(prefix), sandbox=True)
    installer.offload_key(stage)
    authorized = prefix / "var/lib/bodycam-offload/.ssh/authorized_keys"
    assert authorized.read_text().startswith(
        f'restrict,command="{bodycam} offload-gate --data-dir {data}" ssh-ed25519 ')
    assert installer.changed == ["offload-key"]
    sshd, process = start_sshd(tmp_path / "sshd", also_authorized=authorized)
    try:
        enrolled(store, data, sshd)
        offload = ["offload", "cam-001", *db_args(store), "--data-dir", str(data), "--remote-bodycam", str(bodycam)]
        assert main(offload) == 0, "no --identity: the store's own SSH key"
        assert "1 recording(s) received and verified, 1 released" in capsys.readouterr().out
        assert not list((data / "recordings").iterdir())

        station_ssh = ["ssh", "-p", str(sshd.port), "-i", str(store.ssh_identity), "-o", "IdentitiesOnly=yes",
                       "-o", "BatchMode=yes", "-o", f"UserKnownHostsFile={sshd.known_hosts}",
                       f"{sshd.user}@{sshd.host}"]
        shell = subprocess.run([*station_ssh, f"cat {data}/keys/device.key"], capture_output=True, text=True)
        assert shell.returncode == 2 and "refused 'cat'" in shell.stderr and "PRIVATE KEY" not in shell.stdout
        keys = subprocess.run(["rsync", "-rt", "-e", shlex.join(station_ssh[:-1]), f"{station_ssh[-1]}:{data}/keys/",
                               str(tmp_path / "stolen") + "/"], capture_output=True, text=True)
        assert keys.returncode != 0 and not (tmp_path / "stolen" / "device.key").exists()
        planted = tmp_path / "seg-000001.bcs"
        planted.write_bytes(b"not a recording")
        push = subprocess.run(["rsync", "-t", "-e", shlex.join(station_ssh[:-1]), str(planted),
                               f"{station_ssh[-1]}:{data}/recordings/"], capture_output=True, text=True)
        assert push.returncode != 0 and not (data / "recordings" / planted.name).exists()
        assert "refused" in push.stderr
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_gate_runs_the_assignment_session_itself_and_returns_its_answer(tmp_path, monkeypatch, capsys):
    """In this process (sshd would hand the gate a clean environment): the session runs, nothing is
    executed after it."""
    import argparse
    import io
    import json

    from firmware.offload_gate import cmd_gate
    from storage.assignment import sign_assignment
    from storage.keys import key_id, load_device_key, load_device_public
    from tests.assignments import told

    told(tmp_path, "0123456789abcdef")
    keys = tmp_path / "keys"
    newer = sign_assignment("fedcba9876543210", "2026-12-01T09:00:00+00:00",
                            key_id(load_device_public(keys / "device.pub")), load_device_key(keys / "station.key"),
                            "2026-12-01T09:00:00+00:00")
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", f"bodycam assignment-session --data-dir {tmp_path}")
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(newer) + "\n"))
    assert cmd_gate(argparse.Namespace(data_dir=f"{tmp_path}/")) == 0
    assert json.loads(capsys.readouterr().out) == {"accepted": "fedcba9876543210"}


def test_a_request_of_the_longest_allowed_length_is_judged_by_its_words_not_its_length():
    with pytest.raises(Refused) as refused:
        admit("x" * MAX_REQUEST, DATA)
    assert "at most" not in str(refused.value) and "'xxx" in str(refused.value)
