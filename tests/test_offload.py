"""Offload over a real sshd on 127.0.0.1: verify on arrival, receipt, then release on the device."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from firmware.cli import main
from storage.keys import key_id, load_device_public
from storage.recovery import write_marker
from tests.recordings import SHORT, copy_tree, record, short_config

ROOT = Path(__file__).resolve().parent.parent
BODYCAM = str(Path(sys.executable).parent / "bodycam")


@pytest.fixture(scope="module")
def recorded(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("device") / "data"
    record(data, SHORT, short_config())
    return data


@pytest.fixture
def device(recorded, tmp_path) -> Path:
    return copy_tree(recorded, tmp_path / "device")


def register(store: Path, device: Path) -> str:
    kid = key_id(load_device_public(device / "keys" / "device.pub"))
    (store / "devices").mkdir(parents=True, exist_ok=True)
    shutil.copy(device / "keys" / "device.pub", store / "devices" / f"{kid}.pub")
    return kid


def offload_args(sshd, device: Path, store: Path, *extra: str) -> list[str]:
    return ["offload", sshd.host, "--to", str(store), "--user", sshd.user, "--port", str(sshd.port),
            "--identity", str(sshd.identity), "--known-hosts", str(sshd.known_hosts), "--data-dir", str(device),
            "--remote-bodycam", BODYCAM, *extra]


def test_offload_moves_verified_recordings_and_only_then_releases_them(sshd, device, tmp_path, capsys):
    store = tmp_path / "store"
    register(store, device)
    (recording,) = [p.name for p in (device / "recordings").iterdir()]
    assert main(offload_args(sshd, device, store)) == 0
    assert "1 recording(s) received and verified, 1 released" in capsys.readouterr().out
    assert not (device / "recordings" / recording).exists()
    stored = next(store.glob(f"*/{recording}"))
    assert len(list(stored.glob("seg-*.bcs"))) == 8
    index = json.loads((store / "index.json").read_text())
    assert index[recording]["status"] == "ok" and index[recording]["reason"] == "announced"
    log = [json.loads(line)["event"] for line in (store / "offload.log").read_text().splitlines()]
    assert log == ["received", "released"]
    assert list((stored.parent / "audit").glob("*.jsonl")), "audit log copied"
    assert main(["evidence", "verify", str(stored.parent), "--device-key",
                 str(next((store / "devices").glob("*.pub")))]) == 0


def test_offload_leaves_a_recording_in_progress_on_the_device(sshd, device, tmp_path, capsys):
    store = tmp_path / "store"
    register(store, device)
    (recording,) = [p.name for p in (device / "recordings").iterdir()]
    write_marker(device, recording, "this-boot")
    assert main(offload_args(sshd, device, store)) == 0
    assert f"still recording: {recording}" in capsys.readouterr().out
    assert (device / "recordings" / recording).is_dir()
    assert not list(store.glob(f"*/{recording}"))


def test_offload_rejects_a_tampered_recording_and_deletes_nothing(sshd, device, tmp_path, capsys):
    store = tmp_path / "store"
    register(store, device)
    segment = next((device / "recordings").glob("*/seg-000003.bcs"))
    data = bytearray(segment.read_bytes())
    data[len(data) // 2] ^= 1
    segment.write_bytes(bytes(data))
    assert main(offload_args(sshd, device, store)) == 1
    assert "seg-000003.bcs: changed" in capsys.readouterr().out
    assert segment.exists()
    assert json.loads((store / "index.json").read_text()) == {}


def test_offload_refuses_an_unregistered_device(sshd, device, tmp_path, capsys):
    assert main(offload_args(sshd, device, tmp_path / "store")) == 1
    assert "is not registered" in capsys.readouterr().err
    assert list((device / "recordings").iterdir())


def arrived(incoming: Path) -> list[Path]:
    return [p for p in incoming.glob("*/recordings/*/seg-*.bcs")]


def transfer_in_progress(incoming: Path) -> bool:
    """At least one segment has arrived and the next is on its way (rsync's hidden temporary file)."""
    return bool(arrived(incoming)) and any(incoming.glob("*/recordings/*/.seg-*"))


def test_offload_interrupted_mid_file_resumes_without_loss_or_duplicates(sshd, device, tmp_path, capsys):
    store = tmp_path / "store"
    register(store, device)
    (recording,) = [p.name for p in (device / "recordings").iterdir()]
    slow = subprocess.Popen([sys.executable, "-m", "firmware.cli", *offload_args(sshd, device, store,
                                                                                  "--bwlimit", "40")],
                            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not transfer_in_progress(store / "incoming"):
        time.sleep(0.02)
    # Kill the device's end of the connection in the middle of a file, as a dropped link would.
    subprocess.run(["pkill", "-KILL", "-f", f"rsync --server --sender.*{device}"], check=True)
    _, err = slow.communicate(timeout=30)
    assert slow.returncode == 1 and "rsync of recordings failed" in err
    kept = arrived(store / "incoming")
    assert kept, "segments that arrived before the break are kept: the next run does not fetch them again"
    assert (device / "recordings" / recording).is_dir(), "nothing released by the broken run"
    inodes = {p.name: p.stat().st_ino for p in kept}  # a file fetched again would be a new inode
    assert main(offload_args(sshd, device, store)) == 0
    stored = next(store.glob(f"*/{recording}"))
    assert {p.name: p.stat().st_ino for p in stored.glob("seg-*.bcs") if p.name in inodes} == inodes
    assert len(list(store.glob(f"*/{recording}"))) == 1
    assert len(json.loads((store / "index.json").read_text())) == 1
    assert not (device / "recordings" / recording).exists()
