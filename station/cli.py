"""``bodycam station …``, ``bodycam offload``, ``bodycam evidence hold|release|purge`` and ``bodycam stats``:
the evidence station's commands."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from station.paths import CAMERA_BODYCAM, CAMERA_DATA, DEFAULT_STORE
from station.roles import ALL_ROLES
from station.ssh import CONNECT_TIMEOUT_S

if TYPE_CHECKING:
    from station.store import Store


def _store(args: argparse.Namespace) -> Store:
    from station.store import Store

    return Store.open(args.store, args.database)


def store_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE,
                        help=f"evidence store folder (default $BODYCAM_STORE or {DEFAULT_STORE})")
    parser.add_argument("--database", help="database URL (default: sqlite in the store; "
                                           "postgresql://USER@HOST/NAME when several stations share one store)")


# --- station ------------------------------------------------------------------------------------------


def cmd_init(args: argparse.Namespace) -> int:
    from station.store import Store

    store = Store.init(args.store, args.database)
    print(f"evidence store ready: {store.root} (database {store.db.display_url})")
    print(f"station public key: {store.station_pub_path} (installed on every camera at enrolment)")
    if args.admin:
        from station.web.users import add_user

        add_user(store, args.admin, ["admin"], _password(args), staff=True)
        print(f"administrator {args.admin} created: log in at `bodycam station serve` and add users")
    return 0


def _password(args: argparse.Namespace) -> str:
    """From --password-file, else asked twice at the terminal (never on the command line)."""
    import getpass

    from station.web.users import UserError

    if args.password_file:
        return args.password_file.read_text().rstrip("\n")
    first = getpass.getpass("password: ")
    if first != getpass.getpass("again: "):
        raise UserError("the two passwords differ")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    from station.web.users import add_user

    add_user(_store(args), args.name, args.role, _password(args), staff="admin" in args.role)
    print(f"user {args.name}: {', '.join(args.role)}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from station.web.server import serve

    serve(_store(args), args.bind, args.workers, args.agency_key)
    return 0


def cmd_enrol(args: argparse.Namespace) -> int:
    from station.registry import enrol

    host_key = args.host_key_file.read_text() if args.host_key_file else args.host_key
    device = enrol(_store(args), args.name, args.host, args.port, args.user, args.device_pub.read_text(),
                   host_key or "", args.firmware_version)
    print(f"enrolled {device.name}: device key {device.key_id}, {device.ssh_user}@{device.host}:{device.port}")
    return 0


def cmd_devices(args: argparse.Namespace) -> int:
    store = _store(args)
    from station.models import Device

    print(f"{'name':<16} {'device key':<17} {'address':<28} {'status':<8} {'firmware':<12} last offload")
    for d in store.db.query(Device).order_by("name"):
        last = d.last_offload_at.isoformat(timespec="seconds") if d.last_offload_at else "never"
        print(f"{d.name:<16} {d.key_id:<17} {d.ssh_user + '@' + d.host + ':' + str(d.port):<28} {d.status:<8} "
              f"{d.firmware_version or '?':<12} {last}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from station.registry import set_status

    device = set_status(_store(args), args.device, args.status, args.reason)
    print(f"{device.name} ({device.key_id}) is now {device.status}")
    return 0


def cmd_quarantine(args: argparse.Namespace) -> int:
    from station.quarantine import clear, items, show

    store = _store(args)
    if args.action == "list":
        rows = items(store, include_cleared=args.all)
        for item in rows:
            state = f"cleared by {item.cleared_by}" if item.cleared_at else f"seen {item.times_seen}×"
            print(f"#{item.pk:<4} {item.kind:<15} {item.device_key_id} {item.name:<36} {state}")
        print(f"{len(rows)} item(s)")
    elif args.action == "show":
        print(show(store, args.item))
    else:
        clear(store, args.item, args.reason)
        print(f"cleared #{args.item}")
    return 0


def cmd_custody(args: argparse.Namespace) -> int:
    store = _store(args)
    from station import custody
    from station.models import CustodyEntry

    if args.action == "verify":
        check = custody.verify(store.db, store.station_public())
        for line in check.problems:
            print(f"PROBLEM {line}")
        print(f"custody log: {check.lines} line(s), {len(check.problems)} problem(s)")
        return 1 if check.problems else 0
    writer = csv.writer(sys.stdout)
    writer.writerow(["seq", "utc", "actor", "action", "subject", "details"])
    for e in store.db.query(CustodyEntry).order_by("seq").iterator():
        writer.writerow([e.seq, e.utc.isoformat(), e.actor, e.action, e.subject, json.dumps(e.details)])
    return 0


# --- offload ------------------------------------------------------------------------------------------


def cmd_offload(args: argparse.Namespace) -> int:
    store = _store(args)
    from station.models import Device
    from station.offload import OffloadError, OffloadOptions, offload
    from station.ssh import ConnectionFailed

    options = OffloadOptions(args.identity, args.data_dir, args.remote_bodycam, args.bwlimit, args.connect_timeout)
    names = [d.name for d in store.db.query(Device).filter(status=Device.ACTIVE).order_by("name")] \
        if args.all else [args.device]
    if names == [None]:
        print("bodycam: name a device, or give --all", file=sys.stderr)
        return 2
    if not names:
        print(f"no active cameras enrolled in {store.root}")
        return 0
    failed = False
    for name in names:
        try:
            result = offload(store, name, options)
        except (OffloadError, ConnectionFailed) as exc:
            print(f"bodycam: {name}: {exc}", file=sys.stderr)
            failed = True
            continue
        acceptance = result.acceptance
        for line in acceptance.problems:
            print(f"PROBLEM {line}")
        for line in acceptance.still_quarantined:
            print(f"NOTE    still in quarantine (sent again unchanged): {line}")
        print(f"{name}: {len(acceptance.received)} recording(s) received and verified, "
              f"{len(result.released)} released on the camera"
              + (f"; still recording: {', '.join(result.in_progress)}" if result.in_progress else ""))
        failed = failed or bool(acceptance.problems)
    return 1 if failed else 0


# --- retention and statistics ---------------------------------------------------------------------------


def cmd_hold(args: argparse.Namespace) -> int:
    from station.retention import hold

    hold(_store(args), args.recording, args.reason, args.case)
    print(f"held: {args.recording} ({args.reason})")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from station.retention import release_hold

    release_hold(_store(args), args.recording, args.reason)
    print(f"hold released: {args.recording}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    from station.retention import parse_period, purge

    store = _store(args)
    result = purge(store, parse_period(args.older_than), dry_run=args.dry_run)
    if not args.dry_run:
        from station.web.playback import sweep

        for path in sweep(store, datetime.now(UTC)):
            print(f"removed {path.name} (its viewing window closed)")
    verb = "would delete" if args.dry_run else "deleted"
    for recording in result.deleted:
        print(f"{verb} {recording}")
    for recording in result.held:
        print(f"kept   {recording} (held)")
    print(f"{len(result.deleted)} {verb}, {len(result.held)} held")
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from station.stats import collect

    stats = collect(args.dir).as_dict()
    if args.json:
        print(json.dumps(stats, indent=2))
    elif args.csv:
        writer = csv.writer(sys.stdout)
        writer.writerow(["figure", "value"])
        for key, value in stats.items():
            writer.writerow([key, json.dumps(value) if isinstance(value, dict) else value])
    else:
        for key, value in stats.items():
            print(f"{key:<36} {value}")
    return 0


def add_commands(commands: argparse._SubParsersAction,
                 evidence_tools: argparse._SubParsersAction) -> argparse._SubParsersAction:
    station = commands.add_parser("station", help="the evidence station: store, registry, quarantine, custody log")
    sub = station.add_subparsers(dest="station_command", required=True)
    init = sub.add_parser("init", help="create an evidence store (folders, station key, database)")
    store_options(init)
    init.add_argument("--admin", help="also create the first administrator of the web application")
    init.add_argument("--password-file", type=Path, help="the administrator's password (else asked)")
    init.set_defaults(handler=cmd_init)

    user = sub.add_parser("user", help="add a user of the web application, or change their roles and password")
    store_options(user)
    user.add_argument("name")
    user.add_argument("--role", action="append", required=True, choices=ALL_ROLES, help="repeat for several")
    user.add_argument("--password-file", type=Path, help="the password (else asked)")
    user.set_defaults(handler=cmd_user)

    serve = sub.add_parser("serve", help="run the evidence office's web application (gunicorn)")
    store_options(serve)
    serve.add_argument("--bind", default="127.0.0.1:8000", help="address:port (default 127.0.0.1:8000; "
                                                                "put a TLS reverse proxy in front for the network)")
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--agency-key", type=Path, help="the evidence office's private key for playback "
                                                       "(default <store>/keys/agency.key)")
    serve.set_defaults(handler=cmd_serve)


    enrol = sub.add_parser("enrol", help="register a camera: its device key and pinned SSH host key")
    store_options(enrol)
    enrol.add_argument("--name", required=True, help="the camera's name, e.g. cam-001")
    enrol.add_argument("--host", required=True)
    enrol.add_argument("--port", type=int, default=22)
    enrol.add_argument("--user", default="root", help="SSH user on the camera for offload")
    enrol.add_argument("--device-pub", type=Path, required=True, help="the camera's keys/device.pub")
    keys = enrol.add_mutually_exclusive_group(required=True)
    keys.add_argument("--host-key", help="the camera's SSH host key: 'ssh-ed25519 AAAA…'")
    keys.add_argument("--host-key-file", type=Path, help="file with the host key (…/ssh_host_ed25519_key.pub)")
    enrol.add_argument("--firmware-version", default="")
    enrol.set_defaults(handler=cmd_enrol)

    devices = sub.add_parser("devices", help="list enrolled cameras")
    store_options(devices)
    devices.set_defaults(handler=cmd_devices)
    for status, text in (("lost", "mark a camera lost: its key is refused for recordings that start later"),
                         ("retired", "retire a camera"), ("active", "re-activate a retired camera")):
        mark = sub.add_parser(f"mark-{status}", help=text)
        store_options(mark)
        mark.add_argument("device", help="name or device key id")
        mark.add_argument("--reason", required=True)
        mark.set_defaults(handler=cmd_status, status=status)

    quarantine = sub.add_parser("quarantine", help="refused or conflicting uploads: list, show, clear")
    store_options(quarantine)
    quarantine.add_argument("action", choices=["list", "show", "clear"])
    quarantine.add_argument("item", nargs="?", type=int, help="item number (show, clear)")
    quarantine.add_argument("--reason", default="", help="with clear: why (required)")
    quarantine.add_argument("--all", action="store_true", help="with list: cleared items too")
    quarantine.set_defaults(handler=cmd_quarantine)

    custody = sub.add_parser("custody", help="the signed custody log: verify it, or print it as CSV")
    store_options(custody)
    custody.add_argument("action", choices=["verify", "csv"])
    custody.set_defaults(handler=cmd_custody)

    offload = commands.add_parser("offload", help="pull verified recordings from a camera into the evidence store")
    store_options(offload)
    offload.add_argument("device", nargs="?", help="name or device key id (see bodycam station devices)")
    offload.add_argument("--all", action="store_true", help="every active camera (the docking station's timer)")
    offload.add_argument("--identity", type=Path, help="the station's SSH private key")
    offload.add_argument("--data-dir", default=CAMERA_DATA, help="data dir on the camera")
    offload.add_argument("--remote-bodycam", default=CAMERA_BODYCAM, help="bodycam command on the camera")
    offload.add_argument("--bwlimit", type=int, help="limit the transfer to this many KiB/s")
    offload.add_argument("--connect-timeout", type=int, default=CONNECT_TIMEOUT_S, metavar="S",
                         help=f"give up on a camera silent for S seconds (default {CONNECT_TIMEOUT_S})")
    offload.set_defaults(handler=cmd_offload)

    hold_cmd = evidence_tools.add_parser("hold", help="keep a recording beyond the retention period")
    hold_cmd.add_argument("recording", help="recording id, or <device key id>/<recording id>")
    hold_cmd.add_argument("--reason", required=True, help="why: request, proceedings")
    hold_cmd.add_argument("--case", default="", help="case number")
    store_options(hold_cmd)
    hold_cmd.set_defaults(handler=cmd_hold)
    release_cmd = evidence_tools.add_parser("release", help="end a hold")
    release_cmd.add_argument("recording")
    release_cmd.add_argument("--reason", default="", help="why the hold ends")
    store_options(release_cmd)
    release_cmd.set_defaults(handler=cmd_release)
    purge_cmd = evidence_tools.add_parser("purge", help="delete recordings older than the retention period "
                                                        "unless held")
    purge_cmd.add_argument("--older-than", default="14d", help="retention period, e.g. 14d (default) or 36h")
    purge_cmd.add_argument("--dry-run", action="store_true", help="only say what would be deleted")
    store_options(purge_cmd)
    purge_cmd.set_defaults(handler=cmd_purge)

    stats_cmd = commands.add_parser("stats", help="anonymous pilot statistics from audit logs")
    stats_cmd.add_argument("dir", type=Path, nargs="+", help="data dirs or evidence stores (each line counted once)")
    form = stats_cmd.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true")
    form.add_argument("--csv", action="store_true")
    stats_cmd.set_defaults(handler=cmd_stats)
    return sub
