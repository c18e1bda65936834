"""``bodycam deploy HOST``: install or update the firmware on a device over SSH, idempotently.

Builds a wheel here, copies it with the unit, the agency public key and the config, and runs one
script on the device that changes only what differs. The device signing key is created on the device
and never leaves it; its public key is printed and kept in a local registry.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from firmware.ssh import add_ssh_options, failure, ssh_command, ssh_target

if TYPE_CHECKING:
    from station.store import Store

ROOT = Path(__file__).resolve().parent.parent

REMOTE_SCRIPT = r"""
set -eu
P="$PREFIX"; STAGE="$P/opt/bodycam/deploy"; VENV="$P/opt/bodycam/venv"; DATA="$P/var/lib/bodycam"
changed=""
note() { changed="$changed $1"; }
install_if_changed() {  # source target mode name
    if ! cmp -s "$1" "$2"; then mkdir -p "$(dirname "$2")"; install -m "$3" "$1" "$2"; note "$4"; fi
}
# System site packages: picamera2 needs libcamera's bindings, which come from Raspberry Pi OS (apt).
if [ ! -x "$VENV/bin/python" ]; then "$PYTHON" -m venv --system-site-packages "$VENV"; note venv; fi
installed=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("bodycam"))' 2>/dev/null || true)
if [ "$installed" != "$VERSION" ] || ! cmp -s "$STAGE/$WHEEL" "$P/opt/bodycam/installed.whl"; then
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --force-reinstall --no-deps "$STAGE/$WHEEL"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "$STAGE/$WHEEL$EXTRAS"
    cp "$STAGE/$WHEEL" "$P/opt/bodycam/installed.whl"
    note "firmware"
fi
install_if_changed "$STAGE/bodycam.service" "$P/etc/systemd/system/bodycam.service" 0644 unit
[ -f "$STAGE/config.toml" ] && install_if_changed "$STAGE/config.toml" "$P/etc/bodycam/config.toml" 0644 config
if [ -z "$P" ] && ! id bodycam >/dev/null 2>&1; then
    groups=$(for g in video gpio spi i2c audio; do getent group "$g" >/dev/null && printf '%s,' "$g"; done)
    useradd --system --home-dir /var/lib/bodycam --shell /usr/sbin/nologin ${groups:+--groups "${groups%,}"} bodycam
    note user
fi
for dir in "$DATA" "$DATA/keys"; do [ -d "$dir" ] || { mkdir -p "$dir"; note "data-dir"; }; done
chmod 0750 "$DATA"; chmod 0700 "$DATA/keys"
[ -f "$STAGE/agency.pub" ] && install_if_changed "$STAGE/agency.pub" "$DATA/keys/agency.pub" 0644 agency-key
[ -f "$STAGE/station.pub" ] && install_if_changed "$STAGE/station.pub" "$DATA/keys/station.pub" 0644 station-key
if [ ! -f "$DATA/keys/device.key" ]; then
    "$VENV/bin/bodycam" keys device --data-dir "$DATA" >/dev/null
    note device-key
fi
if id bodycam >/dev/null 2>&1; then
    # The service writes recordings and the audit log, but cannot change a key: keys/ stays root's,
    # the signing key readable by the service's group only (and the unit mounts keys/ read-only).
    chown -R bodycam:bodycam "$DATA"
    chown -R root:bodycam "$DATA/keys"; chmod 0750 "$DATA/keys"; chmod 0640 "$DATA/keys/device.key"
fi
if [ -z "$P" ]; then
    systemctl daemon-reload
    systemctl enable bodycam.service >/dev/null 2>&1
    systemctl restart bodycam.service
fi
selftest=$("$VENV/bin/bodycam" selftest --json --data-dir "$DATA" 2>&1) || true
pub=$("$VENV/bin/python" -c 'import json, sys; print(json.dumps(open(sys.argv[1]).read()))' "$DATA/keys/device.pub")
printf '%s\n' "{\"changed\": \"$changed\", \"device_pub\": $pub}"
printf '%s\n' "$selftest"
"""


class DeployError(RuntimeError):
    pass


def build_wheel(out: Path) -> Path:
    """A reproducible wheel (fixed timestamps): the same source gives the same bytes, so an unchanged
    firmware is recognised on the device and not reinstalled."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800"}
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                             "-w", str(out), str(ROOT)], capture_output=True, text=True, env=env)
    if result.returncode != 0:
        raise DeployError(f"building the wheel failed: {result.stderr.strip()}")
    return next(out.glob("bodycam-*.whl"))


def check_inputs(args: argparse.Namespace) -> None:
    """What deploy would install, checked before anything is built or copied: the agency key must be an
    agency public key, and the config one the firmware accepts (the same validator, naming key and line)."""
    from firmware.config import load
    from storage.keys import load_agency_public

    if args.agency_pub:
        load_agency_public(args.agency_pub)
    if args.config:
        load(args.config)


def cmd_deploy(args: argparse.Namespace) -> int:
    check_inputs(args)
    target = ssh_target(args)
    prefix = str(args.prefix or "")
    remote_stage = f"{prefix}/opt/bodycam/deploy"
    # Reach the device before the slow part: a device that is off or not on the network fails at once.
    prepare = subprocess.run([*ssh_command(args), target, f"mkdir -p {shlex.quote(remote_stage)}"],
                             capture_output=True, text=True)
    if prepare.returncode != 0:
        raise DeployError(f"{args.host}: cannot reach the device over SSH: {_unreachable(args, prepare.stderr)}")
    with tempfile.TemporaryDirectory() as staging_dir:
        staging = Path(staging_dir)
        wheel = build_wheel(staging)
        shutil.copy(ROOT / "systemd" / "bodycam.service", staging)
        if args.agency_pub:
            shutil.copy(args.agency_pub, staging / "agency.pub")
        if args.config:
            shutil.copy(args.config, staging / "config.toml")
        store = _station(args)
        if store is not None:
            shutil.copy(store.station_pub_path, staging / "station.pub")
        copy = subprocess.run(["rsync", "-a", "--delete", "-e", shlex.join(ssh_command(args)), f"{staging}/",
                               f"{target}:{remote_stage}/"], capture_output=True, text=True)
        if copy.returncode != 0:
            raise DeployError(f"{args.host}: copying failed: {copy.stderr.strip()}")
        version = wheel.name.split("-")[1]
        env = {"PREFIX": prefix, "WHEEL": wheel.name, "VERSION": version, "PYTHON": args.python,
               "EXTRAS": f"[{args.extras}]" if args.extras else ""}
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        run = subprocess.run([*ssh_command(args), target, f"{exports} bash -s"], input=REMOTE_SCRIPT,
                             capture_output=True, text=True)
    if run.returncode != 0:
        raise DeployError(f"{args.host}: the install script failed: {run.stderr.strip()[-2000:]}")
    summary_line, _, selftest = run.stdout.partition("\n")
    summary = json.loads(summary_line)
    changed = summary["changed"].split()
    print(f"{args.host}: bodycam {version}; " + (f"changed: {', '.join(changed)}" if changed else "no changes"))
    print(summary["device_pub"], end="")
    if store is not None:
        _enrol(store, args, summary["device_pub"], version)
    else:
        print("not enrolled in an evidence store (give --store STORE, or run `bodycam station enrol`)")
    print(f"self-test on {args.host}:\n{selftest.strip()}")
    return 0


def _unreachable(args: argparse.Namespace, stderr: str) -> str:
    """ssh's reason, with what to do about the two a technician meets most."""
    text = stderr.strip()
    match failure(text):
        case "timeout":
            return f"no answer within {args.connect_timeout} s: is the device switched on and on this network?"
        case "host-key":
            return (f"{text}; for a new device, compare its host key fingerprint (ssh-keygen -lf on its console) "
                    f"with ssh-keyscan -p {args.port} {args.host}, then pass it in --known-hosts")
    return text or "ssh failed without a message"


def _station(args: argparse.Namespace) -> Store | None:
    if args.store is None:
        return None
    from station.store import Store

    return Store.open(args.store, args.database)


def _enrol(store: Store, args: argparse.Namespace, device_pub: str, version: str) -> None:
    """Register the device key with the host key this deploy connected to (pinned from known_hosts)."""
    from station.registry import enrol

    found = subprocess.run(["ssh-keygen", "-F", args.host if args.port == 22 else f"[{args.host}]:{args.port}",
                            "-f", str(args.known_hosts or Path.home() / ".ssh" / "known_hosts")],
                           capture_output=True, text=True)
    host_keys = "\n".join(line for line in found.stdout.splitlines() if line and not line.startswith("#"))
    if not host_keys:
        raise DeployError(f"{args.host}: its host key is not in the known_hosts file, so it cannot be pinned; "
                          "give --known-hosts FILE holding it")
    device = enrol(store, args.name or args.host, args.host, args.port, args.user or "root",
                   device_pub, host_keys, version)
    print(f"enrolled as {device.name}, device key {device.key_id}, in {args.store}")


def add_commands(commands: argparse._SubParsersAction) -> None:
    deploy = commands.add_parser("deploy", help="install or update the firmware on a device over SSH")
    add_ssh_options(deploy, user_help="SSH user (needs root rights on the device)")
    deploy.add_argument("--agency-pub", type=Path, help="the evidence office's public key to install")
    deploy.add_argument("--config", type=Path, help="config.toml to install as /etc/bodycam/config.toml")
    deploy.add_argument("--prefix", type=Path, help="install under this root (sandbox; no user, no systemctl)")
    deploy.add_argument("--store", type=Path, help="evidence store: enrol the camera in its registry and install "
                                                   "its station key (receipts)")
    deploy.add_argument("--database", help="with --store: its database URL, if not the store's SQLite file")
    deploy.add_argument("--name", help="the camera's name in the registry (default: HOST)")
    deploy.add_argument("--python", default="python3", help="Python on the device that creates the venv")
    deploy.add_argument("--extras", default="device", help="package extras to install (default: device)")
    deploy.set_defaults(handler=cmd_deploy)
