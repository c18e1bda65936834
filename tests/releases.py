"""Signed releases of this checkout for the deploy tests: built for this machine, on the staging extra
(the firmware service on simulated hardware), from a private git copy so a test can commit a new version."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from fleet.release import Release, build
from storage.keys import create_signing_key
from tools.checkout import git, source_copy


@dataclass(frozen=True)
class Releases:
    key: Path
    pub: Path
    source: Path
    """The repository they were built from, at the second commit."""
    old: Release
    new: Release


def build_for_tests(source: Path, out: Path, key: Path) -> Release:
    return build(source, out, key, platform="host", extras=["staging"], from_apt=set())


def make_releases(directory: Path) -> Releases:
    """Two releases of the same firmware, one commit apart, and the key that signed them."""
    pub = create_signing_key(directory / "keys", "release")
    key = directory / "keys" / "release.key"
    source = source_copy(directory / "source")
    old = build_for_tests(source, directory / "out", key)
    (source / "CHANGES.txt").write_text("release 2\n")
    git(source, "add", "CHANGES.txt")
    git(source, "commit", "-q", "-m", "release 2")
    return Releases(key, pub, source, old, build_for_tests(source, directory / "out", key))


def stop_sandbox_service(prefix: Path) -> None:
    """End the service a sandboxed deploy started (the sandbox's stand-in for systemctl stop)."""
    pid_file = prefix / "run" / "bodycam.pid"
    if pid_file.exists():
        subprocess.run(["kill", pid_file.read_text().strip()], capture_output=True)
