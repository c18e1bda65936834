"""The shipped Ansible playbook and role, run for real: ansible-core from PyPI, three cameras behind three
real sshd on 127.0.0.1 (sandboxed with --prefix), the release built once, batches with a canary first."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from station.models import Device
from station.store import Store
from storage.keys import create_agency_keys
from tests.releases import stop_sandbox_service
from tests.sshd import start_sshd
from tools.checkout import ROOT, git

CAMERAS = ("cam-01", "cam-02", "cam-03")


def snapshot(prefix: Path) -> dict[str, str]:
    """The installed files (releases, config, unit, keys), not what the running service writes."""
    return {str(p.relative_to(prefix)): hashlib.sha256(p.read_bytes()).hexdigest()
            for top in ("opt/bodycam/releases", "etc") for p in sorted((prefix / top).rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts}


@pytest.fixture
def fleet(tmp_path, releases):
    servers = []
    for name in CAMERAS:
        server, process = start_sshd(tmp_path / "sshd" / name)
        servers.append((name, server, process))
    yield servers, tmp_path
    for name, _, process in servers:
        stop_sandbox_service(tmp_path / name)
        process.terminate()
        process.wait(timeout=10)


def play(tmp_path: Path, inventory: str, checkout: Path) -> subprocess.CompletedProcess[str]:
    (tmp_path / "inventory.ini").write_text(inventory)
    env = {**os.environ, "ANSIBLE_HOME": str(tmp_path / "ansible-home"), "ANSIBLE_NOCOLOR": "1",
           "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"), "LC_ALL": "C.UTF-8", "ANSIBLE_RETRY_FILES_ENABLED": "0"}
    return subprocess.run([str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(tmp_path / "inventory.ini"),
                           str(ROOT / "ansible" / "rollout.yml"), "-e", '{"bodycam_batches": [1, 2]}',
                           "-e", f"bodycam_checkout={checkout}"], capture_output=True, text=True, env=env)


def inventory(servers, tmp_path: Path, releases, extra: dict[str, str] | None = None) -> str:
    lines = ["[bodycams]"]
    for name, server, _ in servers:
        lines.append(f"{name} ansible_host={server.host} ansible_port={server.port} ansible_user={server.user} "
                     f"ansible_ssh_private_key_file={server.identity} bodycam_known_hosts={server.known_hosts} "
                     f"bodycam_prefix={tmp_path / name} {(extra or {}).get(name, '')}")
    lines += ["", "[all:vars]", f"bodycam_cli={Path(sys.executable).parent / 'bodycam'}",
              f"bodycam_release_key={releases.key}", f"bodycam_releases={releases.old.folder.parent}",
              "bodycam_platform=host", "bodycam_extras=staging", "bodycam_from_apt=''",
              f"bodycam_config={tmp_path / 'fleet.toml'}", f"bodycam_agency_pub={tmp_path / 'office' / 'agency.pub'}",
              f"bodycam_store={tmp_path / 'station'}", f"bodycam_python={sys.executable}"]
    return "\n".join(lines) + "\n"


def recap(output: str) -> dict[str, dict[str, int]]:
    found = {}
    for line in output.split("PLAY RECAP")[-1].splitlines():
        if " : " in line:
            host, _, counts = line.partition(" : ")
            found[host.strip()] = {k: int(v) for k, v in (c.split("=") for c in counts.split())}
    return found


@pytest.mark.timeout(600)
def test_the_playbook_rolls_out_to_three_cameras_and_a_camera_that_fails_its_health_check_is_rolled_back(
        fleet, releases):
    servers, tmp_path = fleet
    create_agency_keys(tmp_path / "office")
    store = Store.init(tmp_path / "station")
    fleet_config = tmp_path / "fleet.toml"
    fleet_config.write_text("[display]\nbrightness = 1.0\n")
    checkout = tmp_path / "checkout"
    git(tmp_path, "clone", "-q", str(releases.source), str(checkout))
    git(checkout, "checkout", "-q", "HEAD~1")  # the older release first

    first = play(tmp_path, inventory(servers, tmp_path, releases), checkout)
    assert first.returncode == 0, first.stdout + first.stderr
    assert all(counts["failed"] == 0 and counts["changed"] == 1 for host, counts in recap(first.stdout).items()
               if host in CAMERAS), first.stdout
    devices = store.db.query(Device).all()
    assert sorted(d.name for d in devices) == list(CAMERAS), "three cameras at one address: three entries"
    assert len({d.key_id for d in devices}) == 3 and {d.firmware_version for d in devices} == {releases.old.version}
    for name in CAMERAS:
        assert f'id = "{name}"' in (tmp_path / name / "etc/bodycam/config.toml").read_text()

    # A changed fleet config: exactly that file changes on each camera.
    before = {name: snapshot(tmp_path / name) for name in CAMERAS}
    fleet_config.write_text("[display]\nbrightness = 0.6\n")
    second = play(tmp_path, inventory(servers, tmp_path, releases), checkout)
    assert second.returncode == 0, second.stdout + second.stderr
    for name in CAMERAS:
        after = snapshot(tmp_path / name)
        assert {k for k in after.keys() | before[name].keys() if after.get(k) != before[name].get(k)} == \
            {"etc/bodycam/config.toml"}, name
        assert "brightness = 0.6" in (tmp_path / name / "etc/bodycam/config.toml").read_text()
    assert "changed: config" in second.stdout

    # The newer release; cam-03's own value makes its service shut down at once (a flat battery).
    git(checkout, "checkout", "-q", "-")
    flat = {"cam-03": "bodycam_set='[\"sim.battery_percent=1\"]'"}
    third = play(tmp_path, inventory(servers, tmp_path, releases, flat), checkout)
    assert third.returncode != 0
    counts = recap(third.stdout)
    assert counts["cam-01"]["failed"] == 0 and counts["cam-02"]["failed"] == 0 and counts["cam-03"]["failed"] == 1, \
        third.stdout
    assert f"rolled back to {releases.old.version}, and the service is healthy again" in third.stdout, third.stdout
    for name, version in (("cam-01", releases.new.version), ("cam-02", releases.new.version),
                          ("cam-03", releases.old.version)):
        assert os.readlink(tmp_path / name / "opt/bodycam/current") == f"releases/{version}", name
        health = json.loads((tmp_path / name / "run/bodycam/health.json").read_text())
        assert health["version"] == version, name
    assert "battery_percent" not in (tmp_path / "cam-03" / "etc/bodycam/config.toml").read_text()
    assert store.db.query(Device).get(name="cam-03").firmware_version == releases.old.version
    assert store.db.query(Device).get(name="cam-01").firmware_version == releases.new.version
