"""The options of the station's jobs, defined once: ``bodycam station …`` (station/cli.py) and the
management commands that ``django-admin`` and the systemd units run (station/management/commands/) both
build their parsers from here. Standard library only, so ``bodycam --help`` stays quick."""

from __future__ import annotations

import argparse
from pathlib import Path

from fleet.ssh import CONNECT_TIMEOUT_S
from station.limits import MAX_FILE_SIZE, QUOTA, TIME_LIMIT_S
from station.paths import CAMERA_BODYCAM, CAMERA_DATA, DEFAULT_STORE
from station.roles import ASSIGNABLE_ROLES

HELP = {
    "init": "create an evidence store (folders, station key, database)",
    "user": "add a user of the web application, or change their roles and password",
    "serve": "run the evidence office's web application (gunicorn)",
    "enrol": "register a camera: its device key and pinned SSH host key",
    "devices": "list enrolled cameras",
    "mark": "mark a camera lost, retired or active again",
    "quarantine": "refused or conflicting uploads: list, show, clear",
    "custody": "the signed custody log: verify it, or print it as CSV",
    "offload": "pull verified recordings from a camera into the evidence store",
    "hold": "keep a recording beyond the retention period",
    "release": "end a hold",
    "purge": "delete recordings older than the retention period unless held",
    "sweep": "remove the decrypted copies of closed viewing windows and of expired hand-overs",
    "officers": "import the personnel list (CSV): officers, teams and badges",
    "dock": "run the dock's badge reader: check pool cameras out and in",
    "broker": "write the control room's MQTT broker files (mosquitto: TLS, certificates, ACL)",
    "broker-certificate": "issue a camera's MQTT client certificate, or revoke its certificates",
    "control-room": "keep the cameras' status and alerts from the control room's broker (runs until stopped)",
    "jobs": "run the station's long jobs (redactions) from the store's queue (runs until stopped)",
}
STATUSES = {"lost": "mark a camera lost: its key is refused for recordings that start later",
            "retired": "retire a camera", "active": "re-activate a retired camera"}


def store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE,
                        help=f"evidence store folder (default $BODYCAM_STORE or {DEFAULT_STORE})")
    parser.add_argument("--database", help="database URL (default: sqlite in the store; "
                                           "postgresql://USER@HOST/NAME when several stations share one store)")


def init(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("--admin", help="also create the first administrator of the web application")
    parser.add_argument("--password-file", type=Path, help="the administrator's password (else asked)")


def user(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("name")
    parser.add_argument("--role", action="append", required=True, choices=ASSIGNABLE_ROLES, help="repeat for several")
    parser.add_argument("--password-file", type=Path, help="the password (else asked)")
    parser.add_argument("--personnel-number", help="the person's personnel number: one person, one account "
                                                   "(four eyes: requests are decided by another number)")


def serve(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("--bind", default="127.0.0.1:8000", help="address:port (default 127.0.0.1:8000; "
                                                                 "put a TLS reverse proxy in front for the network)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--agency-key", type=Path, help="the evidence office's private key for playback "
                                                        "(default <store>/keys/agency.key)")


def enrol(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("--name", required=True, help="the camera's name, e.g. cam-001")
    parser.add_argument("--host", required=True)
    parser.add_argument("--port", type=int, default=22)
    parser.add_argument("--user", default="root", help="SSH user on the camera for offload")
    parser.add_argument("--device-pub", type=Path, required=True, help="the camera's keys/device.pub")
    keys = parser.add_mutually_exclusive_group(required=True)
    keys.add_argument("--host-key", help="the camera's SSH host key: 'ssh-ed25519 AAAA…'")
    keys.add_argument("--host-key-file", type=Path, help="file with the host key (…/ssh_host_ed25519_key.pub)")
    parser.add_argument("--firmware-version", default="")


def devices(parser: argparse.ArgumentParser) -> None:
    store_options(parser)


def mark(parser: argparse.ArgumentParser, status: bool = True) -> None:
    """``status``: the status is an option (django-admin mark); ``bodycam station mark-lost`` names it."""
    store_options(parser)
    parser.add_argument("device", help="name or device key id")
    if status:
        parser.add_argument("--status", required=True, choices=list(STATUSES))
    parser.add_argument("--reason", required=True)


def quarantine(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("action", choices=["list", "show", "clear"])
    parser.add_argument("item", nargs="?", type=int, help="item number (show, clear)")
    parser.add_argument("--reason", default="", help="with clear: why (required)")
    parser.add_argument("--all", action="store_true", help="with list: cleared items too")


def custody(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("action", choices=["verify", "csv"])


def camera_access(parser: argparse.ArgumentParser) -> None:
    """How the station reaches a camera over SSH: the offload, and the dock telling a camera its wearer."""
    parser.add_argument("--identity", type=Path, help="SSH private key to log in with (default: the store's "
                                                      "keys/ssh_ed25519, made by bodycam station init)")
    parser.add_argument("--data-dir", default=CAMERA_DATA, help="data dir on the camera")
    parser.add_argument("--remote-bodycam", default=CAMERA_BODYCAM, help="bodycam command on the camera")
    parser.add_argument("--connect-timeout", type=int, default=CONNECT_TIMEOUT_S, metavar="S",
                        help=f"give up on a camera silent for S seconds (default {CONNECT_TIMEOUT_S})")


def offload(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("device", nargs="?", help="name or device key id (see bodycam station devices)")
    parser.add_argument("--all", action="store_true", help="every active camera (the docking station's timer)")
    parser.add_argument("--parallel", type=int, default=4, metavar="N",
                        help="with --all: cameras offloaded at once (default 4); a failure ends only its camera's run")
    camera_access(parser)
    parser.add_argument("--bwlimit", type=int, help="limit the transfer to this many KiB/s")
    parser.add_argument("--max-file-size", default=MAX_FILE_SIZE, metavar="SIZE",
                        help=f"largest file taken from a camera, e.g. 500M (default {MAX_FILE_SIZE}); larger ones "
                             "are reported")
    parser.add_argument("--quota", default=QUOTA, metavar="SIZE",
                        help=f"most a camera may hold in the store, quarantine and arrivals included (default "
                             f"{QUOTA}); a camera past it is stopped")
    parser.add_argument("--time-limit", type=int, default=TIME_LIMIT_S, metavar="S",
                        help=f"longest transfer from one camera in seconds (default {TIME_LIMIT_S}); the next run "
                             "resumes")


def hold(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recording", help="recording id, or <device key id>/<recording id>")
    parser.add_argument("--reason", required=True, help="why: request, proceedings")
    parser.add_argument("--case", default="", help="case number")
    store_options(parser)


def release(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("recording")
    parser.add_argument("--reason", default="", help="why the hold ends")
    store_options(parser)


def purge(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--older-than", default="14d", help="retention period, e.g. 14d (default) or 36h")
    parser.add_argument("--quarantine-period", default="30d",
                        help="refused uploads no one cleared are deleted this long after last sent, default 30d")
    parser.add_argument("--review-period", default="72h",
                        help="kept at least this long after arriving, however old (late arrivals), default 72h")
    parser.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    store_options(parser)


def officers(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("file", type=Path, help="the personnel list: CSV with personalnummer;name;team;ausweise;aktiv")
    parser.add_argument("--dry-run", action="store_true", help="list what would change; change nothing")
    parser.add_argument("--deactivate-missing", action="store_true",
                        help="deactivate officers the list no longer names (the list is the whole staff)")
    parser.add_argument("--who", default="personnel-import", help="the name in the custody log (default %(default)s)")


def dock(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("--reader", help="the reader's name, or its start (default: the first reader)")
    parser.add_argument("--min-battery", type=float, default=None,
                        help="hand a camera out only at this battery percentage or more (default: "
                             "BODYCAM_DOCK_MIN_BATTERY, 80)")
    camera_access(parser)


def broker(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("--out", type=Path, required=True, help="folder for mosquitto.conf and its files")
    parser.add_argument("--host", required=True, help="the broker's host name or address, as cameras reach it")
    parser.add_argument("--port", type=int, default=8883, help="its TLS port (default 8883)")
    parser.add_argument("--user", default="mosquitto",
                        help="the user mosquitto runs as, who alone reads the files (default mosquitto)")


def broker_certificate(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("device", help="name or device key id")
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--out", type=Path, help="folder for <camera>.pem, <camera>.key and ca.pem")
    action.add_argument("--revoke", action="store_true",
                        help="revoke every certificate of the camera (then write the broker's files again)")


def jobs(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("--agency-key", type=Path, help="the evidence office's private key, to decrypt what a job "
                                                        "reads (default <store>/keys/agency.key)")


def control_room(parser: argparse.ArgumentParser) -> None:
    store_options(parser)
    parser.add_argument("--host", required=True, help="the broker's host name or address")
    parser.add_argument("--port", type=int, default=8883, help="its TLS port (default 8883)")

