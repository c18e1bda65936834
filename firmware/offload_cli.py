"""``bodycam offload HOST --to STORE``: pull over SSH (rsync), verify, receipt, then release on the device."""

from __future__ import annotations

import argparse
import json
import shlex
import subprocess
import sys
from pathlib import Path

from firmware.ssh import add_ssh_options, ssh_command, ssh_target
from storage.offload import EvidenceStore, manifest, release

DEFAULT_REMOTE_DATA = "/var/lib/bodycam"
DEFAULT_REMOTE_BODYCAM = "/opt/bodycam/venv/bin/bodycam"


class OffloadError(RuntimeError):
    pass


def _remote(args: argparse.Namespace, *words: str, stdin: str | None = None) -> str:
    target = ssh_target(args)
    command = " ".join(shlex.quote(w) for w in (args.remote_bodycam, *words))
    result = subprocess.run([*ssh_command(args), target, command], input=stdin, capture_output=True, text=True)
    if result.returncode != 0:
        raise OffloadError(f"{args.host}: `{command}` failed: {result.stderr.strip() or result.returncode}")
    return result.stdout


def _pull(args: argparse.Namespace, folder: str, target: Path) -> None:
    """rsync keeps a partly transferred file in its partial dir, so a broken connection resumes there."""
    target.mkdir(parents=True, exist_ok=True)
    remote = f"{ssh_target(args)}:{args.data_dir.rstrip('/')}/{folder}/"
    command = ["rsync", "-a", "--partial-dir=.rsync-partial", "-e", shlex.join(ssh_command(args))]
    if args.bwlimit:
        command.append(f"--bwlimit={args.bwlimit}")
    result = subprocess.run([*command, remote, str(target) + "/"], capture_output=True, text=True)
    if result.returncode not in (0, 23, 24):  # 23/24: source files vanished or partly unreadable: next run
        raise OffloadError(f"{args.host}: rsync of {folder} failed ({result.returncode}): {result.stderr.strip()}")


def cmd_offload(args: argparse.Namespace) -> int:
    store = EvidenceStore(args.to)
    offered = json.loads(_remote(args, "offload-manifest", "--data-dir", args.data_dir))
    device_key_id = offered["device_key_id"]
    if not store.device_key_path(device_key_id).exists():
        raise OffloadError(f"device key {device_key_id} is not registered in {args.to}: put the device's "
                           f"device.pub at {store.device_key_path(device_key_id)} (deploy prints and records it)")
    incoming = store.incoming(device_key_id)
    _pull(args, "recordings", incoming / "recordings")
    _pull(args, "audit", incoming / "audit")
    finished = {r["id"] for r in offered["recordings"] if r["finished"]}
    receipt, problems = store.accept(device_key_id, finished)
    for device_id in {str(v["device"]) for k, v in store.index().items() if k in receipt}:
        store.accept_audit(device_key_id, device_id)
    released: list[str] = []
    if receipt:
        released = json.loads(_remote(args, "offload-confirm", "--data-dir", args.data_dir,
                                      stdin=json.dumps({"recordings": receipt})))
        store.log(event="released", host=args.host, recordings=released)
    for line in problems:
        print(f"PROBLEM {line}")
    waiting = sorted(r["id"] for r in offered["recordings"] if not r["finished"])
    print(f"{len(receipt)} recording(s) received and verified, {len(released)} released on the device"
          + (f"; still recording: {', '.join(waiting)}" if waiting else ""))
    return 1 if problems else 0


def cmd_manifest(args: argparse.Namespace) -> int:
    print(json.dumps(manifest(Path(args.data_dir))))
    return 0


def cmd_confirm(args: argparse.Namespace) -> int:
    print(json.dumps(release(Path(args.data_dir), json.load(sys.stdin))))
    return 0


def add_commands(commands: argparse._SubParsersAction) -> None:
    offload = commands.add_parser("offload", help="pull verified recordings from a device into an evidence store")
    add_ssh_options(offload)
    offload.add_argument("--to", type=Path, required=True, help="evidence store folder")
    offload.add_argument("--data-dir", default=DEFAULT_REMOTE_DATA, help="data dir on the device")
    offload.add_argument("--remote-bodycam", default=DEFAULT_REMOTE_BODYCAM, help="bodycam command on the device")
    offload.add_argument("--bwlimit", type=int, help="limit the transfer to this many KiB/s")
    offload.set_defaults(handler=cmd_offload)
    for name, handler, text in (("offload-manifest", cmd_manifest, "device side: list what can be offloaded"),
                                ("offload-confirm", cmd_confirm, "device side: delete what a receipt covers")):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("--data-dir", default=DEFAULT_REMOTE_DATA)
        sub.set_defaults(handler=handler)
