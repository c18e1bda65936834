"""The camera's installer on its own (no SSH): what it trusts, what it refuses, what it keeps. A
release that reaches the camera is treated as hostile until the trusted key's signature and every file
check out."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from fleet.device_install import Device, InstallError
from storage.keys import create_signing_key, load_device_key

VERSION = "0.1.0+g0123456789ab"


def resign(release: Path, key: Path, manifest: dict) -> None:
    data = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()
    (release / "release.json").write_bytes(data)
    (release / "release.sig").write_bytes(load_device_key(key).sign(data))


@pytest.fixture
def key(tmp_path) -> Path:
    create_signing_key(tmp_path / "keys", "release")
    return tmp_path / "keys" / "release.key"


@pytest.fixture
def stage(key, tmp_path) -> Path:
    """What deploy sends: a small release signed as `bodycam release build` signs it, and the key."""
    stage = tmp_path / "stage"
    release = stage / "release"
    (release / "wheelhouse").mkdir(parents=True)
    (release / "bodycam.service").write_text("[Unit]\n")
    (release / "wheelhouse" / "gpiozero-2.0-py3-none-any.whl").write_bytes(b"PK\x05\x06" + bytes(18))
    files = {name: hashlib.sha256((release / name).read_bytes()).hexdigest()
             for name in ("bodycam.service", "wheelhouse/gpiozero-2.0-py3-none-any.whl")}
    resign(release, key, {"format": "bodycam-release/1", "version": VERSION, "platform": "aarch64",
                          "python": "3.11", "apt": [], "files": files})
    shutil.copy(key.with_suffix(".pub"), stage / "release.pub")
    return stage


def test_the_first_release_key_is_trusted_and_never_silently_replaced(stage, tmp_path):
    device = Device(str(tmp_path / "root"), sandbox=True)
    trusted = device.trust(stage)
    assert trusted.read_bytes() == (stage / "release.pub").read_bytes() and device.changed == ["release-key"]
    assert Device(str(tmp_path / "root"), sandbox=True).trust(stage) == trusted, "the same key again: fine"
    shutil.copy(create_signing_key(tmp_path / "other", "release"), stage / "release.pub")
    with pytest.raises(InstallError, match="different release key than --release-pub"):
        Device(str(tmp_path / "root"), sandbox=True).trust(stage)
    (stage / "release.pub").unlink()
    assert Device(str(tmp_path / "root"), sandbox=True).trust(stage) == trusted, "none offered: the one it has"


def test_a_camera_without_a_trusted_key_accepts_no_release(stage, tmp_path):
    (stage / "release.pub").unlink()
    with pytest.raises(InstallError, match="trusts no release key yet: give --release-pub"):
        Device(str(tmp_path / "root"), sandbox=True).trust(stage)


def test_a_signed_release_verifies_and_its_manifest_is_returned(stage, tmp_path):
    device = Device(str(tmp_path / "root"), sandbox=True)
    manifest = device.verify(stage / "release", device.trust(stage))
    assert manifest["version"] == VERSION


@pytest.mark.parametrize("tamper, message", [
    (lambda r, m: (r / "bodycam.service").write_text("[Service]\n"), "bodycam.service: missing or altered"),
    (lambda r, m: (r / "release.sig").unlink(), "unsigned release"),
    (lambda r, m: (r / "release.json").write_text((r / "release.json").read_text() + " "), "not a signature"),
    (lambda r, m: (r / "release.sig").write_bytes(bytes(64)), "not a signature"),
])
def test_a_release_altered_after_signing_is_refused(stage, tmp_path, tamper, message):
    device = Device(str(tmp_path / "root"), sandbox=True)
    trusted = device.trust(stage)
    tamper(stage / "release", None)
    with pytest.raises(InstallError, match=message):
        device.verify(stage / "release", trusted)


def test_a_validly_signed_manifest_still_cannot_name_files_outside_the_release(stage, key, tmp_path):
    """A stolen release key must not turn the installer into a tool for reading or checking arbitrary
    files: every name stays inside the release folder."""
    device = Device(str(tmp_path / "root"), sandbox=True)
    trusted = device.trust(stage)
    manifest = json.loads((stage / "release" / "release.json").read_text())
    secret = tmp_path / "secret"
    secret.write_text("x")
    for name in ("../../secret", str(secret)):
        resign(stage / "release", key, {**manifest, "files": {name: "0" * 64}})
        with pytest.raises(InstallError, match="outside the release"):
            device.verify(stage / "release", trusted)


def test_a_release_that_is_not_a_bodycam_manifest_is_refused(stage, key, tmp_path):
    device = Device(str(tmp_path / "root"), sandbox=True)
    trusted = device.trust(stage)
    resign(stage / "release", key, {"format": "something-else/1", "files": {}})
    with pytest.raises(InstallError, match="not a bodycam release manifest"):
        device.verify(stage / "release", trusted)


def test_a_release_for_another_cpu_or_python_is_refused(stage, tmp_path):
    import platform
    import sys

    device = Device(str(tmp_path / "root"), sandbox=True)
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    device.check_platform({"platform": platform.machine(), "python": python}, sys.executable)
    with pytest.raises(InstallError, match=rf"the release is for riscv64 with Python 3\.11; this camera is "
                                           rf"{platform.machine()} with Python {python}"):
        device.check_platform({"platform": "riscv64", "python": "3.11"}, sys.executable)
    with pytest.raises(InstallError, match=r"with Python 3\.99"):
        device.check_platform({"platform": platform.machine(), "python": "3.99"}, sys.executable)


def test_the_link_switches_atomically_and_back(tmp_path):
    device = Device(str(tmp_path / "root"), sandbox=True)
    device.releases.mkdir(parents=True)
    assert device.active() is None
    device.point_to("0.1.0+gaaaa")
    device.point_to("0.2.0+gbbbb")
    assert device.active() == "0.2.0+gbbbb" and not (device.opt / ".current.new").exists()
    device.point_to("0.1.0+gaaaa")
    assert device.active() == "0.1.0+gaaaa"


def test_only_the_running_and_the_previous_release_are_kept(tmp_path):
    device = Device(str(tmp_path / "root"), sandbox=True)
    for version in ("0.1", "0.2", "0.3"):
        (device.releases / version).mkdir(parents=True)
    device.prune(["0.3", "0.2"])
    assert sorted(p.name for p in device.releases.iterdir()) == ["0.2", "0.3"]


@pytest.fixture
def service(tmp_path):
    """A running process standing in for the sandbox's service, and a writer of its health report."""
    import subprocess

    process = subprocess.Popen(["sleep", "60"])
    device = Device(str(tmp_path / "root"), sandbox=True)
    device.run_dir.mkdir(parents=True)
    (device.root / "run/bodycam.pid").write_text(f"{process.pid}\n")

    def report(**fields) -> None:
        (device.run_dir / "health.json").write_text(json.dumps({"pid": process.pid, "version": "0.2",
                                                                "camera_fault": False, **fields}))

    yield device, report, process
    process.kill()
    process.wait()


def beating(report, **fields):
    """Writes beat 1, 2, 3 … every 0.1 s in a thread, as the service's event loop does."""
    import threading

    stop = threading.Event()

    def run() -> None:
        beat = 0
        while not stop.wait(0.1):
            beat += 1
            report(beat=beat, **fields)

    threading.Thread(target=run, daemon=True).start()
    return stop


def test_a_service_running_the_new_version_with_its_loop_beating_is_healthy(service):
    device, report, _ = service
    stop = beating(report)
    health, why = device.wait_healthy("0.2", 5)
    stop.set()
    assert why == "" and health is not None and health["beat"] >= 3


@pytest.mark.parametrize("fields, why", [
    ({"version": "0.1"}, "the service runs 0.1, not 0.2 within 1 s"),
    ({"camera_fault": True}, "the camera does not deliver pictures within 1 s"),
    ({"pid": 1}, "no health report from the service within 1 s"),
])
def test_a_report_of_another_version_a_camera_fault_or_another_process_is_not_health(service, fields, why):
    device, report, _ = service
    stop = beating(report, **fields)
    assert device.wait_healthy("0.2", 1) == (None, why)
    stop.set()


def test_a_loop_that_stopped_beating_or_a_service_that_stopped_is_not_health(service):
    device, report, process = service
    report(beat=7)
    assert device.wait_healthy("0.2", 1) == (None, "the service's event loop stopped beating within 1 s")
    process.kill()
    process.wait()
    assert device.wait_healthy("0.2", 30) == (None, "the service stopped"), "at once, not after 30 s"


def test_spi_i2c_and_the_sound_overlays_are_switched_on_once_and_only_on_a_pi(tmp_path):
    config = {"audio": {"overlays": ["max98357a", "adau7002-simple"]}}
    device = Device(str(tmp_path / "root"), sandbox=True)
    assert device.buses(config) is False and device.changed == [], "no boot config: not a Pi, nothing to do"
    boot = tmp_path / "root/boot/firmware/config.txt"
    boot.parent.mkdir(parents=True)
    boot.write_text("dtparam=i2c_arm=on  # the gauge\n#dtparam=spi=on\ndtoverlay=max98357a")
    assert device.buses(config) is True
    assert boot.read_text() == ("dtparam=i2c_arm=on  # the gauge\n#dtparam=spi=on\ndtoverlay=max98357a\n"
                                "# bodycam: display (SPI), fuel gauge (I2C), speaker and microphone\n"
                                "dtparam=spi=on\ndtoverlay=adau7002-simple\n")
    assert device.changed == ["boot-config", "modules"]
    again = Device(str(tmp_path / "root"), sandbox=True)
    assert again.buses(config) is False and again.changed == [], "a second deploy: no change, no reboot"
    assert again.buses({}) is True, "the default overlay (the Voice HAT card: amp and microphone) is missing"
    assert boot.read_text().endswith("dtoverlay=googlevoicehat-soundcard\n")


def test_alsas_default_card_becomes_the_speakers_and_only_a_card_id_is_written(tmp_path):
    device = Device(str(tmp_path / "root"), sandbox=True)
    device.alsa({})
    conf = tmp_path / "root/etc/asound.conf"
    assert 'slave.pcm "hw:sndrpigooglevoi"' in conf.read_text() and "card sndrpigooglevoi" in conf.read_text()
    assert device.changed == ["alsa-config"]
    device.alsa({})
    assert device.changed == ["alsa-config"], "the same again: unchanged"
    device.alsa({"audio": {"output_device": "USB Audio"}})  # a part of a PortAudio name, not a card id
    device.alsa({"audio": {"output_device": "x\ndefaults.pcm.card 0"}})
    assert "sndrpigooglevoi" in conf.read_text() and device.changed == ["alsa-config"]


def test_a_changed_file_is_replaced_whole_and_the_previous_one_can_be_restored(tmp_path):
    device = Device(str(tmp_path / "root"), sandbox=True)
    new, target = tmp_path / "new.toml", tmp_path / "root/etc/bodycam/config.toml"
    new.write_text("[device]\nid = \"b\"\n")
    assert device.place(new, target, 0o644, "config") is True and device.changed == ["config"]
    assert not target.with_name("config.toml.previous").exists(), "nothing before it"
    assert device.place(new, target, 0o644, "config") is False, "the same content: unchanged"
    newer = tmp_path / "newer.toml"
    newer.write_text("[device]\nid = \"c\"\n")
    assert device.place(newer, target, 0o600, "config") is True
    assert (target.stat().st_mode & 0o777) == 0o600 and not target.with_name(".config.toml.new").exists()
    device.restore(target)
    assert target.read_text() == new.read_text() and not target.with_name("config.toml.previous").exists()
    assert device.place(tmp_path / "absent", target, 0o644, "config") is False


class Camera:
    """The installer's decisions (switch, keep, roll back, exit status) with what takes time or needs a
    real camera replaced: the venv install, the data dir's user and keys, systemd, the health wait."""

    def __init__(self, monkeypatch, tmp_path: Path, healthy: set[str]) -> None:
        self.prefix, self.healthy, self.running = tmp_path / "root", healthy, False
        self.restarts: list[str | None] = []

        def install(device, release, manifest, python):
            target = device.releases / str(manifest["version"])
            if not target.exists():
                target.mkdir(parents=True)
                shutil.copy(release / "bodycam.service", target / "bodycam.service")
                device.changed.append("firmware")
            return target

        def data_dir(device, stage, bodycam):
            (device.data / "keys").mkdir(parents=True, exist_ok=True)
            (device.data / "keys/device.pub").write_text("PUB")

        def restart(device):
            self.restarts.append(device.active())
            self.running = True

        def wait_healthy(device, version, timeout):
            return ({"version": version}, "") if version in self.healthy else (None, "the service stopped")

        for name, fake in (("install", install), ("data_dir", data_dir), ("restart", restart),
                           ("wait_healthy", wait_healthy)):
            monkeypatch.setattr(Device, name, fake)
        monkeypatch.setattr(Device, "check_platform", lambda device, manifest, python: None)
        monkeypatch.setattr(Device, "service_pid", lambda device: 4242 if self.running else None)
        monkeypatch.setattr(Device, "service_log", lambda device: "last words")

    def deploy(self, stage: Path, capsys, *extra: str) -> tuple[int, dict]:
        from fleet.device_install import main

        code = main(["--stage", str(stage), "--prefix", str(self.prefix), "--sandbox", *extra])
        return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def release_version(stage: Path, key: Path, version: str) -> Path:
    manifest = json.loads((stage / "release/release.json").read_text())
    resign(stage / "release", key, {**manifest, "version": version})
    return stage


def test_deploy_switches_to_a_healthy_release_and_a_rerun_touches_nothing(stage, key, tmp_path, monkeypatch, capsys):
    camera = Camera(monkeypatch, tmp_path, healthy={VERSION})
    (stage / "config.toml").write_text("[device]\nid = \"a\"\n")
    code, result = camera.deploy(stage, capsys)
    assert (code, result["status"], result["previous"]) == (0, "ok", None)
    assert "firmware" in result["changed"] and "config" in result["changed"] and "unit" in result["changed"]
    assert camera.restarts == [VERSION] and result["health"] == {"version": VERSION}
    code, result = camera.deploy(stage, capsys)
    assert (code, result["status"], result["changed"]) == (0, "ok", []) and camera.restarts == [VERSION]
    camera.running = False  # the service is down: the same release is started again
    code, result = camera.deploy(stage, capsys)
    assert code == 0 and camera.restarts == [VERSION, VERSION]


def test_a_release_that_does_not_report_healthy_is_replaced_by_the_one_before(stage, key, tmp_path, monkeypatch,
                                                                               capsys):
    camera = Camera(monkeypatch, tmp_path, healthy={VERSION})
    (stage / "config.toml").write_text("[device]\nid = \"a\"\n")
    assert camera.deploy(stage, capsys)[0] == 0
    (stage / "config.toml").write_text("[device]\nid = \"b\"\n")
    code, result = camera.deploy(release_version(stage, key, "0.2.0+gbad"), capsys)
    assert code == 3 and result["status"] == "rolled-back" and result["rolled_back_to"] == VERSION
    assert result["why"] == "the service stopped" and result["service_log"] == "last words"
    assert result["previous_health"] == {"version": VERSION}
    assert camera.restarts == [VERSION, "0.2.0+gbad", VERSION]
    assert Device(str(camera.prefix), sandbox=True).active() == VERSION
    assert (camera.prefix / "etc/bodycam/config.toml").read_text() == "[device]\nid = \"a\"\n"
    assert sorted(p.name for p in (camera.prefix / "opt/bodycam/releases").iterdir()) == [VERSION, "0.2.0+gbad"]


def test_a_new_config_the_same_release_fails_with_is_taken_back(stage, tmp_path, monkeypatch, capsys):
    camera = Camera(monkeypatch, tmp_path, healthy={VERSION})
    (stage / "config.toml").write_text("[device]\nid = \"a\"\n")
    camera.deploy(stage, capsys)
    camera.healthy.clear()  # with this config the service does not come up, nor with the old one
    (stage / "config.toml").write_text("[sim]\nbattery_percent = 1.0\n")
    code, result = camera.deploy(stage, capsys)
    assert code == 3 and result["changed"] == ["config"] and result["rolled_back_to"] == VERSION
    assert result["previous_health"] == "the service stopped", "said, not hidden"
    assert (camera.prefix / "etc/bodycam/config.toml").read_text() == "[device]\nid = \"a\"\n"


def test_a_first_release_that_fails_has_nothing_to_go_back_to(stage, tmp_path, monkeypatch, capsys):
    camera = Camera(monkeypatch, tmp_path, healthy=set())
    code, result = camera.deploy(stage, capsys)
    assert code == 1 and result["status"] == "failed" and "rolled_back_to" not in result
    assert camera.restarts == [VERSION]


def test_a_refused_release_is_a_one_line_error_and_exit_1(stage, tmp_path, monkeypatch, capsys):
    camera = Camera(monkeypatch, tmp_path, healthy={VERSION})
    (stage / "release" / "bodycam.service").write_text("[Service]\nExecStart=/bin/sh\n")
    code, result = camera.deploy(stage, capsys)
    assert code == 1 and result == {"status": "error", "why": "bodycam.service: missing or altered since the "
                                                              "release was signed"}
    assert camera.restarts == []


def test_missing_raspberry_pi_os_packages_are_installed_after_the_package_lists_are_updated(tmp_path, monkeypatch):
    """A card's package lists are as old as its image: install without update fails on the mirror (#28)."""
    bin_dir, calls = tmp_path / "bin", tmp_path / "calls"
    bin_dir.mkdir()
    (bin_dir / "dpkg").write_text("#!/bin/sh\n[ \"$2\" = python3-numpy ]\n")  # numpy present, the rest missing
    (bin_dir / "apt-get").write_text(f"#!/bin/sh\necho \"$*\" >> {calls}\n")
    for program in bin_dir.iterdir():
        program.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    device = Device(str(tmp_path / "root"), sandbox=False)
    device.apt(["python3-numpy", "python3-lgpio", "python3-picamera2"])
    assert calls.read_text().splitlines() == ["update -q",
                                              "install -y -q --no-install-recommends python3-lgpio python3-picamera2"]
    assert device.changed == ["apt:python3-lgpio,python3-picamera2"]
    calls.unlink()
    device.apt(["python3-numpy"])
    assert not calls.exists(), "nothing missing: no update, no install"


def test_a_boot_config_change_waits_for_the_reboot_and_the_health_is_judged_after_it(stage, tmp_path, monkeypatch,
                                                                                     capsys):
    """A fresh card: SPI, I2C and the sound overlay are off. The service is enabled, not started (what it
    would open is not there before the reboot); after the reboot, and only then, its health is judged."""
    camera = Camera(monkeypatch, tmp_path, healthy={VERSION})
    monkeypatch.setattr(Device, "_stop_sandbox", lambda device: setattr(camera, "running", False))
    monkeypatch.setattr(Device, "_start_sandbox", lambda device: setattr(camera, "running", True))
    boot = camera.prefix / "boot/firmware/config.txt"
    boot.parent.mkdir(parents=True)
    boot.write_text("#dtparam=spi=on\ndtparam=audio=on\n")
    code, answer = camera.deploy(stage, capsys)
    assert (code, answer["status"], answer["reboot_needed"]) == (0, "reboot", False)
    assert "boot-config" in answer["changed"] and camera.restarts == [] and not camera.running
    assert Device(str(camera.prefix), sandbox=True).active() == VERSION, "the release starts at boot"
    assert camera.deploy(stage, capsys, "--resume") == (0, {"status": "not-rebooted"}), "the same boot"
    assert camera.deploy(stage, capsys, "--reboot-now") == (0, {"status": "rebooting"})
    code, answer = camera.deploy(stage, capsys, "--resume")
    assert (code, answer["status"], answer["rebooted"], answer["health"]) == (0, "ok", True, {"version": VERSION})
    assert "boot-config" in answer["changed"] and answer["previous"] is None
    code, answer = camera.deploy(stage, capsys, "--resume")
    assert code == 1 and answer["why"].startswith("no deploy waits for a reboot here")


def test_a_boot_config_change_without_reboot_starts_the_service_at_once(stage, tmp_path, monkeypatch, capsys):
    camera = Camera(monkeypatch, tmp_path, healthy={VERSION})
    boot = camera.prefix / "boot/firmware/config.txt"
    boot.parent.mkdir(parents=True)
    boot.write_text("")
    code, answer = camera.deploy(stage, capsys, "--no-reboot")
    assert (code, answer["status"], answer["reboot_needed"]) == (0, "ok", True) and camera.restarts == [VERSION]
