"""bodycam release: one signed release per commit, its version from git, checked file by file."""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest

from firmware.cli import main
from firmware.release import APT_PACKAGES, ReleaseError, build, requirements, verify
from storage.keys import create_signing_key, load_device_public
from tests.releases import ROOT, build_for_tests, git


def test_a_release_is_named_by_its_commit_and_a_second_build_of_it_is_the_same_release(releases, tmp_path):
    source = releases.source
    assert releases.new.version == f"0.1.0+g{git(source, 'rev-parse', 'HEAD')[:12]}"
    assert releases.old.version != releases.new.version
    again = build_for_tests(source, tmp_path / "elsewhere", releases.key)
    wheel = f"bodycam-{releases.new.version}-py3-none-any.whl"
    assert (again.folder / wheel).read_bytes() == (releases.new.folder / wheel).read_bytes(), "reproducible"
    with zipfile.ZipFile(again.folder / wheel) as archive:
        assert f"Version: {releases.new.version}" in archive.read(
            f"bodycam-{releases.new.version}.dist-info/METADATA").decode()


def test_uncommitted_changes_make_a_dirty_version_and_untracked_files_are_refused(releases, tmp_path):
    source = releases.source
    clone = tmp_path / "clone"
    shutil.copytree(source, clone)
    (clone / "CHANGES.txt").write_text("not committed\n")
    dirty = build_for_tests(clone, tmp_path / "out", releases.key)
    assert dirty.version.startswith(f"0.1.0+g{git(clone, 'rev-parse', 'HEAD')[:12]}.dirty.")
    (clone / "firmware" / "forgotten.py").write_text("")
    with pytest.raises(ReleaseError, match=r"untracked files would be left out of the release: firmware/forgotten\.py"):
        build_for_tests(clone, tmp_path / "out", releases.key)


@pytest.mark.parametrize("tamper, message", [
    (lambda f: (f / "bodycam.service").write_text("[Service]\n"), "bodycam.service: altered since"),
    (lambda f: (f / "wheelhouse" / "extra.whl").write_bytes(b"PK"), "wheelhouse/extra.whl is not listed in"),
    (lambda f: next((f / "wheelhouse").glob("gpiozero-*.whl")).unlink(), "is missing from the release"),
    (lambda f: (f / "release.json").write_text((f / "release.json").read_text().replace('"python"', '"pyth0n"')),
     "not a signature of the trusted release key"),
    (lambda f: (f / "release.sig").unlink(), "not a release"),
])
def test_verify_names_what_was_altered_in_a_release(releases, tmp_path, tamper, message):
    copy = tmp_path / "release"
    shutil.copytree(releases.old.folder, copy)
    assert verify(copy, load_device_public(releases.pub)).version == releases.old.version
    tamper(copy)
    with pytest.raises(ReleaseError, match=message):
        verify(copy, load_device_public(releases.pub))


def test_a_release_signed_by_another_key_is_foreign(releases, tmp_path, capsys):
    other = create_signing_key(tmp_path, "release")
    assert main(["release", "verify", str(releases.old.folder), "--release-pub", str(other)]) == 1
    assert "a foreign or altered release" in capsys.readouterr().err


def test_the_device_release_holds_aarch64_wheels_and_leaves_the_raspberry_pi_os_packages_to_apt(releases, tmp_path):
    """The real download for a Pi (from PyPI): binary wheels for aarch64 and Python 3.11, or pure ones."""
    source = releases.source
    release = build(source, tmp_path / "out", releases.key)
    assert release.manifest["platform"] == "aarch64" and release.manifest["python"] == "3.11"
    assert release.manifest["apt"] == ["python3-lgpio", "python3-numpy", "python3-picamera2", "python3-pyaudio",
                                       "python3-spidev"]
    wheels = sorted(p.name for p in (release.folder / "wheelhouse").glob("*.whl"))
    assert wheels and all(w.endswith(("_aarch64.whl", "-none-any.whl")) for w in wheels), wheels
    names = {w.split("-")[0].lower().replace("_", "-") for w in wheels}
    assert names.isdisjoint(APT_PACKAGES), names & set(APT_PACKAGES)
    assert {"cryptography", "av", "gpiozero", "luma-oled", "pillow"} <= names
    listed = json.loads((release.folder / "release.json").read_text())["files"]
    assert set(listed) == {str(p.relative_to(release.folder)) for p in release.folder.rglob("*") if p.is_file()} \
        - {"release.json", "release.sig"}


def test_requirements_leave_out_what_the_camera_takes_from_apt():
    kept = requirements(ROOT, ["device"], set(APT_PACKAGES))
    assert not [r for r in kept if r.lower().startswith(("picamera2", "lgpio", "rpi.gpio", "pyaudio", "numpy"))]
    assert any(r.startswith("cryptography") for r in kept) and any(r.startswith("av") for r in kept)
    with pytest.raises(ReleaseError, match="unknown extra 'devcie'"):
        requirements(ROOT, ["devcie"], set())
