"""bodycam deploy into a --prefix sandbox over a real sshd: the tree, the modes, and a second run that
changes nothing."""

from __future__ import annotations

import socket
import stat
import sys
import threading
from pathlib import Path

from firmware.cli import main
from station.models import Device
from station.store import Store
from storage.keys import create_agency_keys, key_id, load_device_public


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_deploy_installs_into_a_sandbox_and_a_second_run_changes_nothing(sshd, tmp_path, capsys):
    office = tmp_path / "office"
    create_agency_keys(office)
    config = tmp_path / "config.toml"
    config.write_text('[device]\nid = "cam-07"\n')
    prefix = tmp_path / "device-root"
    store = Store.init(tmp_path / "station")
    args = ["deploy", sshd.host, "--user", sshd.user, "--port", str(sshd.port), "--identity", str(sshd.identity),
            "--known-hosts", str(sshd.known_hosts), "--agency-pub", str(office / "agency.pub"), "--config",
            str(config), "--prefix", str(prefix), "--store", str(store.root), "--name", "cam-07",
            "--python", sys.executable, "--extras", ""]
    assert main(args) == 0
    first = capsys.readouterr().out
    assert "changed: venv, firmware, unit, config, data-dir" in first and "device-key" in first
    data = prefix / "var/lib/bodycam"
    assert (prefix / "opt/bodycam/venv/bin/bodycam").exists()
    assert (prefix / "etc/systemd/system/bodycam.service").read_text().startswith("[Unit]")
    assert (prefix / "etc/bodycam/config.toml").read_text() == config.read_text()
    assert mode(data) == 0o750 and mode(data / "keys") == 0o700 and mode(data / "keys/device.key") == 0o600
    assert (data / "keys/agency.pub").read_bytes() == (office / "agency.pub").read_bytes()
    assert not (data / "keys/agency.key").exists(), "the agency private key never goes to a device"
    assert (data / "keys/station.pub").read_bytes() == store.station_pub_path.read_bytes()
    registered = store.db.query(Device).get(name="cam-07")
    assert registered.key_id == key_id(load_device_public(data / "keys/device.pub"))
    assert registered.port == sshd.port and registered.host_key.split()[0] == "ssh-ed25519"
    assert sshd.known_hosts.read_text().split()[2] in registered.host_key, "the host key deploy talked to"
    assert "BEGIN PUBLIC KEY" in first and "self-test on" in first

    key_before = (data / "keys/device.key").read_bytes()
    assert main(args) == 0
    second = capsys.readouterr().out
    assert "no changes" in second
    assert (data / "keys/device.key").read_bytes() == key_before, "the device key is kept"


def test_deploy_to_a_device_that_never_answers_stops_at_once_with_what_to_check(tmp_path, capsys):
    """A host that accepts TCP but never speaks SSH (a device mid-boot, a wrong address): deploy gives up
    after --connect-timeout, before building anything, instead of hanging."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    try:
        code = main(["deploy", "127.0.0.1", "--port", str(listener.getsockname()[1]), "--connect-timeout", "2",
                     "--prefix", str(tmp_path / "device-root")])
    finally:
        listener.close()
    assert code != 0
    err = capsys.readouterr().err
    assert "cannot reach the device over SSH: no answer within 2 s: is the device switched on" in err, err
    assert "Traceback" not in err
