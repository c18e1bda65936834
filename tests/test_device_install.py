"""The camera's installer on its own (no SSH): what it trusts, what it refuses, what it keeps. A
release that reaches the camera is treated as hostile until the trusted key's signature and every file
check out."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from firmware.device_install import Device, InstallError
from storage.keys import create_signing_key, load_device_key


@pytest.fixture
def stage(releases, tmp_path) -> Path:
    stage = tmp_path / "stage"
    shutil.copytree(releases.old.folder, stage / "release")
    shutil.copy(releases.pub, stage / "release.pub")
    return stage


def resign(release: Path, key: Path, manifest: dict) -> None:
    data = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()
    (release / "release.json").write_bytes(data)
    (release / "release.sig").write_bytes(load_device_key(key).sign(data))


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


def test_a_signed_release_verifies_and_its_manifest_is_returned(stage, releases, tmp_path):
    device = Device(str(tmp_path / "root"), sandbox=True)
    manifest = device.verify(stage / "release", device.trust(stage))
    assert manifest["version"] == releases.old.version


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


def test_a_validly_signed_manifest_still_cannot_name_files_outside_the_release(stage, releases, tmp_path):
    """A stolen release key must not turn the installer into a tool for reading or checking arbitrary
    files: every name stays inside the release folder."""
    device = Device(str(tmp_path / "root"), sandbox=True)
    trusted = device.trust(stage)
    manifest = json.loads((stage / "release" / "release.json").read_text())
    secret = tmp_path / "secret"
    secret.write_text("x")
    for name in ("../../secret", str(secret)):
        resign(stage / "release", releases.key, {**manifest, "files": {name: "0" * 64}})
        with pytest.raises(InstallError, match="outside the release"):
            device.verify(stage / "release", trusted)


def test_a_release_that_is_not_a_bodycam_manifest_is_refused(stage, releases, tmp_path):
    device = Device(str(tmp_path / "root"), sandbox=True)
    trusted = device.trust(stage)
    resign(stage / "release", releases.key, {"format": "something-else/1", "files": {}})
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
