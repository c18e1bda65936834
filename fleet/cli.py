"""``bodycam release``, ``bodycam deploy`` and ``bodycam enrol``: the parsers of the fleet tools.

Standard library only, so ``bodycam --help`` stays quick; each command loads its module when it runs.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from fleet import CHECKOUT
from fleet.platform import APT_PACKAGES, DEVICE_PLATFORM, DEVICE_PYTHON
from fleet.ssh import CONNECT_TIMEOUT_S, KNOWN_HOSTS, add_ssh_options

if TYPE_CHECKING:
    from fleet.deploy import OpenRegistry


def _release_key(args: argparse.Namespace) -> int:
    from fleet.release import cmd_key

    return cmd_key(args)


def _release_build(args: argparse.Namespace) -> int:
    from fleet.release import cmd_build

    return cmd_build(args)


def _release_verify(args: argparse.Namespace) -> int:
    from fleet.release import cmd_verify

    return cmd_verify(args)


def _deploy(args: argparse.Namespace) -> int:
    from fleet.deploy import cmd_deploy

    return cmd_deploy(args)


def _enrol(args: argparse.Namespace) -> int:
    from fleet.enrol import cmd_enrol

    return cmd_enrol(args)


def add_commands(commands: argparse._SubParsersAction, open_registry: OpenRegistry | None = None) -> None:
    """The fleet tools' commands; with ``open_registry`` (the station's), ``deploy --store`` enrols the
    deployed camera in the station's registry."""
    release = commands.add_parser("release", help="build and check signed firmware releases")
    sub = release.add_subparsers(dest="release_command", required=True)
    key = sub.add_parser("key", help="create the release signing key (release.key, release.pub)")
    key.add_argument("--out", type=Path, required=True, help="folder for the key pair")
    key.set_defaults(handler=_release_key)
    build_cmd = sub.add_parser("build", help="build the release of this checkout, once, for every camera")
    build_cmd.add_argument("--key", type=Path, required=True, help="the release signing key (release.key)")
    build_cmd.add_argument("--out", type=Path, default=Path("releases"), help="where releases go (default releases/)")
    build_cmd.add_argument("--source", type=Path, default=CHECKOUT, help="git checkout to build (default: this one)")
    build_cmd.add_argument("--platform", default=DEVICE_PLATFORM,
                           help=f"device CPU (default {DEVICE_PLATFORM}); `host` for this computer (staging)")
    build_cmd.add_argument("--python-version", default=DEVICE_PYTHON,
                           help=f"the device's Python (default {DEVICE_PYTHON}, Raspberry Pi OS bookworm)")
    build_cmd.add_argument("--extras", default="device", help="package extras, comma-separated (default device)")
    build_cmd.add_argument("--from-apt", metavar="NAMES",
                           help="packages the device takes from apt, comma-separated (default: "
                                f"{','.join(APT_PACKAGES)})")
    build_cmd.add_argument("--constraints", type=Path, help="pip constraints file pinning the dependency versions")
    build_cmd.set_defaults(handler=_release_build)
    check = sub.add_parser("verify", help="check a release's signature and files")
    check.add_argument("release", type=Path)
    check.add_argument("--release-pub", type=Path, required=True, help="the trusted release public key")
    check.set_defaults(handler=_release_verify)

    deploy = commands.add_parser("deploy", help="install a signed release on a device over SSH; roll back if the "
                                                "service does not report healthy")
    add_ssh_options(deploy, user_help="SSH user (needs root rights on the device)")
    deploy.add_argument("--release", type=Path, required=True, help="release folder (bodycam release build)")
    deploy.add_argument("--release-pub", type=Path, help="the release public key: checked here, and installed as "
                                                         "the camera's trusted key on first contact")
    deploy.add_argument("--config", type=Path, required=True, help="config.toml for /etc/bodycam/config.toml")
    deploy.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a per-camera value on top of --config, e.g. device.id=cam-017 (repeatable)")
    deploy.add_argument("--agency-pub", type=Path, help="the evidence office's public key to install")
    deploy.add_argument("--store", type=Path, help="evidence store: enrol the camera in its registry and install "
                                                   "its station key (receipts)")
    deploy.add_argument("--database", help="with --store: its database URL, if not the store's SQLite file")
    deploy.add_argument("--control-room", type=Path, metavar="DIR",
                        help="the camera's broker certificate for the control room (bodycam station "
                             "broker-certificate NAME --out DIR): installed in its keys folder")
    deploy.add_argument("--name", help="the camera's name in the registry (default: device.id, else HOST[:PORT])")
    deploy.add_argument("--python", default="python3", help="the device's Python (default python3)")
    deploy.add_argument("--health-timeout", type=float, default=60.0, metavar="S",
                        help="seconds the new release has to report healthy before it is rolled back (default 60)")
    deploy.add_argument("--no-reboot", dest="reboot", action="store_false",
                        help="when the boot config changed (first deploy: SPI, I2C, sound overlays), do not "
                             "reboot the camera: the service starts at once without those parts until a reboot "
                             "by hand (default: reboot, wait for the camera, then judge its health)")
    deploy.add_argument("--reboot-timeout", type=float, default=300.0, metavar="S",
                        help="seconds the camera has to come back after that reboot (default 300)")
    deploy.add_argument("--prefix", type=Path, help="install under this root (sandbox; no user, no systemctl)")
    deploy.add_argument("--sandbox", action="store_true", help="with --prefix: run the service on simulated "
                                                               "hardware instead of through systemd (staging)")
    deploy.set_defaults(handler=_deploy, open_registry=open_registry)

    enrol = commands.add_parser("enrol", help="first contact with a new camera: compare and pin its SSH host key")
    enrol.add_argument("host")
    enrol.add_argument("--port", type=int, default=22)
    enrol.add_argument("--known-hosts", type=Path, default=KNOWN_HOSTS,
                       help=f"known_hosts file deploy uses (default {KNOWN_HOSTS})")
    enrol.add_argument("--fingerprint", metavar="SHA256:…",
                       help="the fingerprint read on the camera's console (else asked interactively)")
    enrol.add_argument("--connect-timeout", type=int, default=CONNECT_TIMEOUT_S, metavar="S")
    enrol.set_defaults(handler=_enrol)
