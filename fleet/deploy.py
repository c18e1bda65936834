"""``bodycam deploy HOST --release DIR``: install a signed release on a camera over SSH, idempotently.

Checks the config (with ``--set`` values) and the release here, copies them with the keys over one
multiplexed SSH connection, and runs the device installer (fleet/device_install.py), which installs
the release beside the running one, switches, waits for the service's own health report and switches
back on failure. The device signing key is created on the device and never leaves it; its public key is
enrolled in the evidence store's registry under its key id.
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from bodycam.errors import BodycamError
from firmware.config import parse, read
from fleet.broker_files import check as broker_files_check
from fleet.config_set import apply
from fleet.release import MANIFEST, Release, verify
from fleet.ssh import failure, known, ssh_session
from storage.keys import load_agency_public, load_device_public


class Registry(Protocol):
    """The evidence station's side of a deploy (``station.enrolment``): its key for the camera's receipts,
    and the registry the deployed camera is enrolled in. The fleet tools know it only by this shape."""

    @property
    def station_pub_path(self) -> Path: ...

    @property
    def station_ssh_pub_path(self) -> Path:
        """The public half of the key the station offloads with: the camera lets it run the offload only."""
        ...

    def enrol(self, name: str, host: str, port: int, user: str, device_pub: str, host_keys: str,
              version: str) -> str:
        """Registers the camera; returns the line that tells the technician under which name and key."""
        ...


OpenRegistry = Callable[[Path, str | None], Registry]

INSTALLER = Path(__file__).with_name("device_install.py")
EXIT_UNHEALTHY = 3
SSH_FAILED = 255
"""ssh's own exit status when it could not connect (any other is the remote command's)."""
REBOOT_POLL_S = 2.0


class DeployError(BodycamError, RuntimeError):
    pass


def device_config(args: argparse.Namespace) -> str:
    """The config this camera gets, checked here with the firmware's own validator (naming key and line),
    before anything is copied."""
    return apply(read(args.config), str(args.config), args.set)


def check_release(args: argparse.Namespace) -> Release:
    """The release, checked here against the release key (the camera checks again with the key it trusts)."""
    if args.release_pub is None:
        manifest = args.release / MANIFEST
        if not manifest.exists():
            raise DeployError(f"{args.release}: not a release (no {MANIFEST}); build one with `bodycam release build`")
        return Release(args.release, json.loads(manifest.read_text()))
    return verify(args.release, load_device_public(args.release_pub))


def cmd_deploy(args: argparse.Namespace) -> int:
    config = device_config(args)
    if args.agency_pub:
        load_agency_public(args.agency_pub)
    release = check_release(args)
    name = args.name or parse(config).device.id or (args.host if args.port == 22 else f"{args.host}:{args.port}")
    broker_files = broker_files_check(args.control_room, name) if args.control_room else []
    prefix = str(args.prefix or "")
    stage = f"{prefix}/opt/bodycam/deploy"
    with tempfile.TemporaryDirectory() as staging_dir, ssh_session(args, Path(staging_dir)) as ssh:
        # Reach the device before the slow part: a device that is off or not on the network fails at once.
        prepare = subprocess.run([*ssh, f"mkdir -p {shlex.quote(stage)}"], capture_output=True, text=True)
        if prepare.returncode != 0:
            raise DeployError(f"{args.host}: cannot reach the device over SSH: {_unreachable(args, prepare.stderr)}")
        staging = Path(staging_dir) / "stage"
        staging.mkdir()
        (staging / "release").symlink_to(release.folder.resolve())
        shutil.copy(INSTALLER, staging / INSTALLER.name)  # this tool's installer: a release cannot bring its own
        (staging / "config.toml").write_text(config, encoding="utf-8")
        for source, target in ((args.agency_pub, "agency.pub"), (args.release_pub, "release.pub")):
            if source:
                shutil.copy(source, staging / target)
        if broker_files:
            (staging / "control-room").mkdir()
            for path in broker_files:
                shutil.copy(path, staging / "control-room" / path.name)
        registry = _registry(args)
        if registry is not None:
            shutil.copy(registry.station_pub_path, staging / "station.pub")
            if not registry.station_ssh_pub_path.is_file():
                raise DeployError(f"{registry.station_ssh_pub_path} is missing: run `bodycam station init --store "
                                  f"{args.store}` once more (it adds the station's SSH key and keeps the rest)")
            shutil.copy(registry.station_ssh_pub_path, staging / "station-ssh.pub")
        copy = subprocess.run(["rsync", "-a", "--copy-links", "--delete", "-e", shlex.join(ssh[:-1]), f"{staging}/",
                               f"{ssh[-1]}:{stage}/"], capture_output=True, text=True)
        if copy.returncode != 0:
            raise DeployError(f"{args.host}: copying failed: {copy.stderr.strip()}")
        install = [args.python, f"{stage}/{INSTALLER.name}", "--stage", stage, "--prefix", prefix, "--python",
                   args.python, "--health-timeout", str(args.health_timeout), *(["--sandbox"] if args.sandbox else []),
                   *([] if args.reboot else ["--no-reboot"])]
        result = _installer(args, ssh, install)
        if result["status"] == "reboot":
            print(f"{args.host}: the boot config changed (SPI, I2C, sound overlays): rebooting the camera, waiting "
                  f"up to {args.reboot_timeout:g} s for it", flush=True)
            result = _reboot_and_resume(args, ssh, install)
    return _report(args, name, registry, release.version, result)


def _installer(args: argparse.Namespace, ssh: list[str], install: list[str]) -> dict[str, object]:
    """One run of the camera's installer: its JSON answer."""
    return _installer_answer(args, subprocess.run([*ssh, shlex.join(install)], capture_output=True, text=True))


def _installer_answer(args: argparse.Namespace, run: subprocess.CompletedProcess[str]) -> dict[str, object]:
    lines = run.stdout.strip().splitlines()
    try:
        answer = json.loads(lines[-1])
    except (IndexError, ValueError):
        raise DeployError(f"{args.host}: the installer failed: {(run.stderr or run.stdout).strip()[-2000:]}") from None
    if not isinstance(answer, dict) or "status" not in answer:
        raise DeployError(f"{args.host}: the installer answered {lines[-1][:200]!r}")
    return answer


def _reboot_and_resume(args: argparse.Namespace, ssh: list[str], install: list[str],
                       clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep
                       ) -> dict[str, object]:
    """Reboot the camera, wait until it answers from a new boot, and have its installer judge the health
    of the release it installed. Until the camera is back, a failed connection is expected, not an error."""
    _installer(args, ssh, [*install, "--reboot-now"])
    subprocess.run([*ssh[:-1], "-O", "exit", ssh[-1]], capture_output=True)  # the connection went down with it
    deadline = clock() + args.reboot_timeout
    while clock() < deadline:
        sleep(REBOOT_POLL_S)
        run = subprocess.run([*ssh, shlex.join([*install, "--resume"])], capture_output=True, text=True)
        if run.returncode == SSH_FAILED:
            continue  # still down, or sshd not up yet
        answer = _installer_answer(args, run)
        if answer["status"] != "not-rebooted":
            return answer
    raise DeployError(f"{args.host}: the camera did not come back within {args.reboot_timeout:g} s of its reboot; "
                      "the release is installed and starts at boot: check the camera's console, then deploy again")


def _report(args: argparse.Namespace, name: str, registry: Registry | None, version: str,
            result: dict[str, object]) -> int:
    """What the camera's installer said, for the technician; the registry records the release deployed
    here, never a version the camera claims."""
    status = result["status"]
    if status == "error":
        raise DeployError(f"{args.host}: {result['why']}")
    changed = typing.cast("list[str]", result["changed"])
    print(f"{args.host}: bodycam {version}; " + (f"changed: {', '.join(changed)}" if changed else "no changes"))
    if result.get("reboot_needed"):
        print(f"{args.host}: SPI, I2C and the sound overlays switched on in the boot config: reboot the camera "
              "(display, fuel gauge, speaker and microphone start after it)")
    if result.get("rebooted"):
        print(f"{args.host}: rebooted; the boot config is in effect")
    if status == "ok":
        print(f"{args.host}: healthy: the service reports {version} running")
        health = result.get("health")
        faults = health.get("faults") if isinstance(health, dict) else None
        for part, detail in (faults.items() if isinstance(faults, dict) else ()):
            print(f"{args.host}: the camera records, but without its {str(part)[:40]}: {str(detail)[:300]}")
        if registry is not None:
            _enrol(registry, args, name, str(result["device_pub"]), version, str(result["offload_user"]))
        return 0
    log = str(result.get("service_log", "")).strip()
    said = "\n  the service said:\n    " + "\n    ".join(log.splitlines()) if log else ""
    if status == "rolled-back":
        back = result["previous_health"]
        state = "healthy again" if isinstance(back, dict) else f"NOT healthy either: {back}"
        back_to = result["rolled_back_to"]
        undone = f"rolled back to {back_to}" if back_to != version else "the previous config and unit restored"
        print(f"{args.host}: bodycam {version} failed its health check ({result['why']}); {undone}, and the "
              f"service is {state}{said}", file=sys.stderr)
    else:
        print(f"{args.host}: bodycam {version} failed its health check ({result['why']}); there is no earlier "
              f"release to go back to{said}", file=sys.stderr)
    return EXIT_UNHEALTHY


def _unreachable(args: argparse.Namespace, stderr: str) -> str:
    """ssh's reason, with what to do about the two a technician meets most."""
    text = stderr.strip()
    match failure(text):
        case "timeout":
            return f"no answer within {args.connect_timeout} s: is the device switched on and on this network?"
        case "host-key":
            return (f"{text}; for a new camera, first run: bodycam enrol {args.host} --port {args.port} "
                    f"--known-hosts {args.known_hosts}")
    return text or "ssh failed without a message"


def _registry(args: argparse.Namespace) -> Registry | None:
    if args.store is None:
        return None
    if args.open_registry is None:
        raise DeployError("--store needs the evidence station's installation (this one has only the fleet tools)")
    return typing.cast(Registry, args.open_registry(args.store, args.database))


def _enrol(registry: Registry, args: argparse.Namespace, name: str, device_pub: str, version: str,
           offload_user: str) -> None:
    """Register the device key with the host key this deploy connected to (pinned from known_hosts), and the
    user the station logs in as: the camera's offload user, never the technician's."""
    host_keys = "\n".join(known(args.known_hosts, args.host, args.port))
    if not host_keys:
        raise DeployError(f"{args.host}: its host key is not in {args.known_hosts}, so it cannot be pinned; "
                          f"run bodycam enrol {args.host} first")
    print(registry.enrol(name, args.host, args.port, offload_user, device_pub, host_keys, version))
