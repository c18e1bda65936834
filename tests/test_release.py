"""bodycam release: one signed release per commit, its version from git, checked file by file."""

from __future__ import annotations

import json
import re
import shutil
import zipfile

import pytest

from fleet.platform import APT_PACKAGES
from fleet.release import ReleaseError, _platform_options, build, requirements, verify
from office.cli import main
from storage.keys import create_signing_key, load_device_public
from tests.releases import build_for_tests
from tools.checkout import ROOT, git


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
    head = git(clone, "rev-parse", "HEAD")[:12]
    assert re.fullmatch(rf"0\.1\.0\+g{head}\.dirty\.[0-9a-f]{{8}}", dirty.version), dirty.version
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
    """The real download for a Pi (from PyPI): binary wheels for aarch64 and the device's Python (here
    Raspberry Pi OS trixie's 3.13), or pure ones."""
    source = releases.source
    release = build(source, tmp_path / "out", releases.key, python="3.13")
    assert release.manifest["platform"] == "aarch64" and release.manifest["python"] == "3.13"
    assert release.manifest["apt"] == ["polkitd", "python3-lgpio", "python3-numpy", "python3-picamera2",
                                       "python3-pyaudio", "python3-spidev"], "polkitd: the power-off rule's judge"
    wheels = sorted(p.name for p in (release.folder / "wheelhouse").glob("*.whl"))
    assert wheels and all(w.endswith(("_aarch64.whl", "-none-any.whl")) for w in wheels), wheels
    assert all("-cp313-" in w or "-abi3-" in w or "-none-" in w for w in wheels if w.endswith("_aarch64.whl"))
    names = {w.split("-")[0].lower().replace("_", "-") for w in wheels}
    assert names.isdisjoint(APT_PACKAGES), names & set(APT_PACKAGES)
    assert {"cryptography", "av", "gpiozero", "luma-oled", "pillow"} <= names
    assert names.isdisjoint(STATION_ONLY), names & STATION_ONLY
    listed = json.loads((release.folder / "release.json").read_text())["files"]
    assert set(listed) == {str(p.relative_to(release.folder)) for p in release.folder.rglob("*") if p.is_file()} \
        - {"release.json", "release.sig"}


STATION_ONLY = {"django", "psycopg", "psycopg-binary", "gunicorn", "whitenoise", "argon2-cffi", "ansible-core"}


def test_the_cameras_release_holds_only_the_cameras_code_and_its_command(releases):
    """The camera's wheel: firmware, hal, states, storage, the simulator (staging) and the camera's command;
    no station, no fleet tools, no station installation's command, no Django in its wheelhouse."""
    release = releases.new
    with zipfile.ZipFile(release.folder / f"bodycam-{release.version}-py3-none-any.whl") as archive:
        names = archive.namelist()
        entry_points = archive.read(f"bodycam-{release.version}.dist-info/entry_points.txt").decode()
        stamped = archive.read("bodycam/release-version.txt").decode().strip()
    packages = {n.split("/")[0] for n in names if n.endswith(".py")}
    assert packages == {"bodycam", "firmware", "hal", "states", "storage", "sim"}, packages
    assert "bodycam/camera.py" in names and "bodycam/errors.py" in names
    assert "bodycam = bodycam.camera:main" in entry_points
    assert stamped == release.version, "the version a camera reports at every docking, without package metadata"
    assert "firmware/assets/audio/de/recording-started.wav" in names, "the announcements travel with the firmware"
    wheels = {w.name.split("-")[0].lower().replace("_", "-") for w in (release.folder / "wheelhouse").glob("*.whl")}
    assert wheels and wheels.isdisjoint(STATION_ONLY), wheels & STATION_ONLY


def test_the_cameras_release_knows_only_the_cameras_extras(releases, tmp_path):
    with pytest.raises(ReleaseError, match="unknown extra 'station'; known: device, staging"):
        build(releases.source, tmp_path / "out", releases.key, platform="host", extras=["station"], from_apt=set())


def test_requirements_leave_out_what_the_camera_takes_from_apt():
    kept = requirements(ROOT, ["device"], set(APT_PACKAGES))
    assert not [r for r in kept if r.lower().startswith(("picamera2", "lgpio", "rpi.gpio", "pyaudio", "numpy"))]
    assert any(r.startswith("cryptography") for r in kept) and any(r.startswith("av") for r in kept)
    with pytest.raises(ReleaseError, match="unknown extra 'devcie'"):
        requirements(ROOT, ["devcie"], set())


def test_the_device_wheels_are_those_bookworms_glibc_runs():
    options = _platform_options("aarch64", "3.11")
    assert "--platform=manylinux2014_aarch64" in options and "--platform=manylinux_2_36_aarch64" in options
    assert "--platform=manylinux_2_37_aarch64" not in options, "bookworm has glibc 2.36"
    assert {"--python-version=3.11", "--implementation=cp", "--abi=cp311", "--abi=abi3"} <= set(options)
    assert _platform_options("host", "3.11") == []


def test_building_the_same_commit_again_reuses_the_signed_release(releases):
    signature = releases.new.folder / "release.sig"
    before = signature.stat().st_mtime_ns
    again = build_for_tests(releases.source, releases.new.folder.parent, releases.key)
    assert again.folder == releases.new.folder and signature.stat().st_mtime_ns == before


def test_a_dependency_that_would_pull_in_a_raspberry_pi_os_package_is_refused(releases, tmp_path):
    """cffi comes with cryptography: a camera taking it from apt must not get a second copy."""
    with pytest.raises(ReleaseError, match=r"the wheelhouse would hold cffi-.*which the camera takes from apt"):
        build(releases.source, tmp_path / "out", releases.key, platform="host", extras=[], from_apt={"cffi"})


def test_the_release_commands_say_what_they_made_and_exit_0(releases, tmp_path, capsys):
    assert main(["release", "key", "--out", str(tmp_path / "keys")]) == 0
    assert "release key: " in capsys.readouterr().out and (tmp_path / "keys" / "release.pub").exists()
    assert main(["release", "build", "--key", str(releases.key), "--out", str(tmp_path / "out"),
                 "--source", str(releases.source), "--platform", "host", "--extras", "staging",
                 "--from-apt", ""]) == 0
    wheels = len(list((releases.new.folder / "wheelhouse").glob("*.whl")))
    assert f"bodycam {releases.new.version} for " in (out := capsys.readouterr().out)
    assert f"{wheels} dependency wheels, signed" in out, "--from-apt '': nothing left to apt"
    assert main(["release", "verify", str(releases.new.folder), "--release-pub", str(releases.pub)]) == 0
    assert "signature and" in capsys.readouterr().out
    for incomplete in (["release"], ["release", "build"], ["release", "key"],
                       ["release", "verify", str(releases.new.folder)]):
        with pytest.raises(SystemExit) as stop:
            main(incomplete)
        assert stop.value.code == 2, incomplete
