"""``bodycam release``: build one signed, versioned firmware release that installs on every camera.

A release is a folder ``bodycam-<version>/``: the firmware wheel, a wheelhouse with every dependency as a
binary wheel for the device's platform (no compiler and no PyPI needed on the camera), and the systemd
unit, listed with their SHA-256 in ``release.json``, which the release key signs
(``release.sig``, Ed25519). A camera installs only a release signed by the key it trusts.

The version comes from git: ``<pyproject version>+g<commit>``, and ``.dirty.<tree>`` for uncommitted
changes. The wheel is built from an export of exactly that content with the commit's time stamps, so the
same commit gives the same firmware wheel, and two builds never share a ``build/`` folder.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as host_platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature

from bodycam.errors import BodycamError
from bodycam.version import RELEASE_VERSION
from fleet import CHECKOUT
from fleet.device_install import sha256_file
from fleet.platform import APT_PACKAGES, DEVICE_PLATFORM, DEVICE_PYTHON, GLIBC_MINOR, SYSTEM_PACKAGES
from storage.keys import create_signing_key, load_device_key, load_device_public

FORMAT = "bodycam-release/1"
MANIFEST, SIGNATURE = "release.json", "release.sig"
UNIT = CHECKOUT / "systemd" / "bodycam.service"
POWER_OFF_RULE = CHECKOUT / "systemd" / "50-bodycam-power-off.rules"
"""Lets the service power the camera off on a critical battery (polkit; the installer puts it in place)."""

class ReleaseError(BodycamError, RuntimeError):
    pass


@dataclass(frozen=True)
class Release:
    folder: Path
    manifest: dict[str, object]

    @property
    def version(self) -> str:
        return str(self.manifest["version"])


def _run(command: list[str], what: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise ReleaseError(f"{what} failed: {(result.stderr or result.stdout).strip()[-1500:]}")
    return result.stdout.strip()


def _git(source: Path, *args: str) -> str:
    return _run(["git", "-C", str(source), *args], f"git {args[0]}")


def source_version(source: Path) -> tuple[str, str, int]:
    """(version, tree-ish to export, commit time) of the checkout at ``source``."""
    if not (source / ".git").exists():
        raise ReleaseError(f"{source}: not a git checkout; a release is built from git, so its version names "
                           "the commit it was built from")
    base = tomllib.loads((source / "pyproject.toml").read_text())["project"]["version"]
    untracked = _git(source, "ls-files", "--others", "--exclude-standard")
    if untracked:
        raise ReleaseError(f"{source}: untracked files would be left out of the release: "
                           f"{', '.join(untracked.split()[:5])}; commit them (or list them in .gitignore)")
    head = _git(source, "rev-parse", "HEAD")
    stamp = int(_git(source, "show", "-s", "--format=%ct", "HEAD"))
    stash = _git(source, "stash", "create")  # a commit of the uncommitted changes, the checkout untouched
    if not stash:
        return f"{base}+g{head[:12]}", head, stamp
    tree = _git(source, "rev-parse", f"{stash}^{{tree}}")
    return f"{base}+g{head[:12]}.dirty.{tree[:8]}", stash, stamp


def _export(source: Path, treeish: str, version: str, into: Path) -> Path:
    tree = into / "source"
    tree.mkdir()
    archive = subprocess.run(["git", "-C", str(source), "archive", "--format=tar", treeish], capture_output=True)
    if archive.returncode != 0:
        raise ReleaseError(f"git archive failed: {archive.stderr.decode(errors='replace').strip()}")
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive.stdout, check=True)
    pyproject = tree / "pyproject.toml"
    pyproject.write_text(camera_pyproject(tomllib.loads(pyproject.read_text()), version), encoding="utf-8")
    (tree / RELEASE_VERSION).write_text(version + "\n", encoding="utf-8")
    return tree


def camera_pyproject(pyproject: dict[str, Any], version: str) -> str:
    """The camera's pyproject.toml, from the repository's: its packages, script and extras as
    ``[tool.bodycam.camera]`` names them, so the camera's wheel holds no station, fleet tools or Django."""
    project = pyproject["project"]
    try:
        camera = pyproject["tool"]["bodycam"]["camera"]
        packages, script, extras = list(camera["packages"]), str(camera["script"]), list(camera["extras"])
    except KeyError as exc:
        raise ReleaseError(f"pyproject.toml: [tool.bodycam.camera] needs packages, script and extras ({exc} "
                           "is missing)") from None
    data = pyproject["tool"]["setuptools"].get("package-data", {})

    def toml(value: object) -> str:  # strings and lists of strings: JSON's form is TOML's
        return json.dumps(value, ensure_ascii=False)

    lines = ["[build-system]", f"requires = {toml(pyproject['build-system']['requires'])}",
             f"build-backend = {toml(pyproject['build-system']['build-backend'])}", "", "[project]",
             f"version = {toml(version)}"]
    lines += [f"{key} = {toml(project[key])}" for key in
              ("name", "description", "readme", "requires-python", "license", "license-files", "dependencies")
              if key in project]
    lines += ["", "[project.optional-dependencies]",
              *(f"{extra} = {toml(project['optional-dependencies'][extra])}" for extra in extras)]
    lines += ["", "[project.scripts]", f"bodycam = {toml(script)}", "", "[tool.setuptools.packages.find]",
              f"include = {toml([name for p in packages for name in (p, p + '.*')])}", "",
              "[tool.setuptools.package-data]", *(f"{p} = {toml(data[p])}" for p in packages if p in data)]
    return "\n".join(lines) + "\n"


def requirements(source: Path, extras: list[str], from_apt: set[str]) -> list[str]:
    """The firmware's dependencies for ``extras``, without those the camera takes from apt."""
    project = tomllib.loads((source / "pyproject.toml").read_text())["project"]
    wanted = list(project["dependencies"])
    for extra in extras:
        if extra not in project["optional-dependencies"]:
            raise ReleaseError(f"unknown extra {extra!r}; known: {', '.join(project['optional-dependencies'])}")
        wanted += project["optional-dependencies"][extra]
    kept = []
    for requirement in wanted:
        name = re.split(r"[\s<>=!~;\[]", requirement, maxsplit=1)[0]
        if _normal(name) not in from_apt and requirement not in kept:
            kept.append(requirement)
    return kept


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _platform_options(platform: str, python: str) -> list[str]:
    if platform == "host":
        return []
    tags = ["manylinux2014_" + platform, *(f"manylinux_2_{minor}_{platform}" for minor in range(17, GLIBC_MINOR + 1))]
    nodot = python.replace(".", "")
    return [*(f"--platform={tag}" for tag in tags), f"--python-version={python}", "--implementation=cp",
            f"--abi=cp{nodot}", "--abi=abi3", "--abi=none"]


def build(source: Path, out: Path, key_path: Path, platform: str = DEVICE_PLATFORM,
          python: str = DEVICE_PYTHON,
          extras: list[str] | None = None, from_apt: set[str] | None = None, constraints: Path | None = None
          ) -> Release:
    """Build and sign the release of ``source``; an existing, intact build of the same version is kept."""
    signing = load_device_key(key_path)
    extras = ["device"] if extras is None else extras
    from_apt = set(APT_PACKAGES) if from_apt is None else {_normal(n) for n in from_apt}
    machine = host_platform.machine() if platform == "host" else platform
    if platform == "host":
        python = f"{sys.version_info.major}.{sys.version_info.minor}"
    version, treeish, stamp = source_version(source)
    folder = out / f"bodycam-{version}-{machine}"
    if (folder / SIGNATURE).exists():
        existing = verify(folder, load_device_public(key_path.with_suffix(".pub")))
        if existing.manifest.get("python") == python:
            return existing  # built once: every later call (each Ansible batch) reuses it
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".bodycam-release-", dir=out) as work_dir:
        work = Path(work_dir)
        tree = _export(source, treeish, version, work)
        staged = work / folder.name
        wheelhouse = staged / "wheelhouse"
        wheelhouse.mkdir(parents=True)
        env = {**os.environ, "SOURCE_DATE_EPOCH": str(stamp), "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        pip = [sys.executable, "-m", "pip"]
        _run([*pip, "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(staged), str(tree)],
             "building the firmware wheel", env=env)
        wanted = requirements(tree, extras, from_apt)
        if wanted:
            _run([*pip, "download", "--quiet", "--only-binary=:all:", "-d", str(wheelhouse),
                  *_platform_options(platform, python), *(["-c", str(constraints)] if constraints else []),
                  *wanted], f"downloading the dependencies for {platform} (Python {python})", env=env)
            dropped = sorted(p.name for p in wheelhouse.iterdir() if _normal(p.name.split("-")[0]) in from_apt)
            if dropped:  # pulled in by another dependency
                raise ReleaseError(f"the wheelhouse would hold {', '.join(dropped)}, which the camera takes from apt")
        for system_file in (UNIT, POWER_OFF_RULE):
            shutil.copy(system_file, staged / system_file.name)
        files = {str(p.relative_to(staged)): sha256_file(p) for p in sorted(staged.rglob("*")) if p.is_file()}
        manifest: dict[str, object] = {"format": FORMAT, "version": version, "platform": machine, "python": python,
                    "apt": sorted({APT_PACKAGES[n] for n in from_apt if n in APT_PACKAGES and n != "rpi-gpio"}
                                  | set(SYSTEM_PACKAGES)),
                    "files": files}
        data = (json.dumps(manifest, indent=1, sort_keys=True) + "\n").encode()
        (staged / MANIFEST).write_bytes(data)
        (staged / SIGNATURE).write_bytes(signing.sign(data))
        if folder.exists():
            shutil.rmtree(folder)
        staged.rename(folder)
    return Release(folder, manifest)


def verify(folder: Path, trusted: object) -> Release:
    """The release in ``folder`` if ``trusted`` signed it and every listed file is intact (and no other)."""
    try:
        data, signature = (folder / MANIFEST).read_bytes(), (folder / SIGNATURE).read_bytes()
    except OSError as exc:
        raise ReleaseError(f"{folder}: not a release ({exc.strerror}: {exc.filename})") from None
    try:
        trusted.verify(signature, data)  # type: ignore[attr-defined]
    except InvalidSignature:
        raise ReleaseError(f"{folder}: release.sig is not a signature of the trusted release key: a foreign or "
                           "altered release") from None
    manifest = json.loads(data)
    listed: dict[str, str] = manifest["files"]
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} - {MANIFEST, SIGNATURE}
    if odd := sorted(present ^ set(listed)):
        state = "not listed in" if odd[0] in present else "missing from"
        raise ReleaseError(f"{folder}: {odd[0]} is {state} the release")
    for name, digest in listed.items():
        if sha256_file(folder / name) != digest:
            raise ReleaseError(f"{folder / name}: altered since the release was signed")
    return Release(folder, manifest)


def cmd_key(args: argparse.Namespace) -> int:
    pub = create_signing_key(args.out, "release")
    print(f"release key: {args.out / 'release.key'} (keep it off the cameras and the shared drive)\n"
          f"public key to install on the cameras: {pub}")
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    extras = [e for e in args.extras.split(",") if e]
    from_apt = {n for n in args.from_apt.split(",") if n} if args.from_apt is not None else None
    release = build(args.source, args.out, args.key, args.platform, args.python_version, extras, from_apt,
                    args.constraints)
    wheels = len(list((release.folder / "wheelhouse").glob("*.whl")))
    print(f"{release.folder}: bodycam {release.version} for {release.manifest['platform']} "
          f"(Python {release.manifest['python']}), {wheels} dependency wheels, signed")
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    release = verify(args.release, load_device_public(args.release_pub))
    print(f"{release.folder}: bodycam {release.version}: signature and {len(release.manifest['files'])} files OK")  # type: ignore[arg-type]
    return 0
