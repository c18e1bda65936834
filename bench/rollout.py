"""Fleet rollout over loopback SSH: a new release built once and deployed to three sandboxed cameras
(each waits for its service's health report), the rollback of a release that fails its health check,
and a config-only change; against the floor of the same work by hand (rsync, venv, pip install)."""

from __future__ import annotations

import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.table import Row
from fleet.release import Release
from storage.keys import create_agency_keys
from tests.releases import build_for_tests, git, make_releases, stop_sandbox_service
from tests.sshd import SshServer, start_sshd

CAMERAS = 3
BODYCAM = str(Path(sys.executable).parent / "bodycam")


def _deploy(server: SshServer, root: Path, name: str, release: Release, pub: Path, *extra: str) -> float:
    start = time.perf_counter()
    result = subprocess.run([BODYCAM, "deploy", server.host, "--user", server.user, "--port", str(server.port),
                             "--identity", str(server.identity), "--known-hosts", str(server.known_hosts),
                             "--release", str(release.folder), "--release-pub", str(pub), "--config",
                             str(root / "fleet.toml"), "--set", f"device.id={name}", "--agency-pub",
                             str(root / "office" / "agency.pub"), "--prefix", str(root / name), "--sandbox",
                             "--python", sys.executable, *extra], capture_output=True, text=True)
    if result.returncode not in (0, 3):
        raise RuntimeError(f"deploy failed: {result.stdout}{result.stderr}")
    return time.perf_counter() - start


def _by_hand(server: SshServer, root: Path, release: Release) -> float:
    """The unavoidable part: copy the release, make a venv, install its wheels (no checks, no switch)."""
    start = time.perf_counter()
    target = root  # one level: rsync creates it
    ssh = ["ssh", *server.ssh_options()]
    subprocess.run(["rsync", "-a", "-e", shlex.join(ssh), f"{release.folder}/",
                    f"{server.user}@{server.host}:{target}/"], check=True)
    install = (f"{sys.executable} -m venv --system-site-packages {target}/venv && {target}/venv/bin/pip install "
               f"--quiet --no-index --no-deps {target}/wheelhouse/*.whl {target}/bodycam-*.whl")
    subprocess.run([*ssh, f"{server.user}@{server.host}", install], check=True)
    return time.perf_counter() - start


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        releases = make_releases(root / "releases")
        (releases.source / "CHANGES.txt").write_text("release 3\n")
        git(releases.source, "commit", "-qam", "release 3")
        start = time.perf_counter()
        newest = build_for_tests(releases.source, root / "releases" / "out", releases.key)
        build = time.perf_counter() - start
        create_agency_keys(root / "office")
        (root / "fleet.toml").write_text("[display]\nbrightness = 1.0\n")
        servers = [start_sshd(root / "sshd" / f"cam-{i}") for i in range(CAMERAS)]
        try:
            for i, (server, _) in enumerate(servers):
                _deploy(server, root, f"cam-{i}", releases.new, releases.pub)
            rollout = [_deploy(server, root, f"cam-{i}", newest, releases.pub) for i, (server, _) in enumerate(servers)]
            by_hand = [_by_hand(server, root / f"hand-{i}", newest) for i, (server, _) in enumerate(servers)]
            (root / "fleet.toml").write_text("[display]\nbrightness = 0.6\n")
            config_only = _deploy(servers[0][0], root, "cam-0", newest, releases.pub)
            rollback = _deploy(servers[1][0], root, "cam-1", releases.new, releases.pub, "--set",
                               "sim.battery_percent=1")
        finally:
            for i, (_, process) in enumerate(servers):
                stop_sandbox_service(root / f"cam-{i}")
                process.terminate()
                process.wait()
    total = build + sum(rollout)
    return [
        Row(f"rollout of a new release to {CAMERAS} cameras over loopback SSH: build once + deploy each "
            "(verified, switched, health-checked)", total, "s", build + sum(by_hand),
            "build + rsync, venv, pip install by hand"),
        Row("  of which the release build (firmware wheel, wheelhouse from pip's cache, signature)", build, "s"),
        Row("  per camera", sum(rollout) / CAMERAS, "s", sum(by_hand) / CAMERAS, "rsync, venv, pip install"),
        Row("rollback of a release that fails its health check (deploy start to the old release healthy)",
            rollback, "s"),
        Row("config-only change on one camera (restart, health report)", config_only, "s"),
    ]
