"""``bodycam enrol HOST``: the first contact with a new camera, the only time its host key is taken on
trust, and only once the technician has compared its fingerprint with the one on the camera's console.

Writes the key to the known_hosts file deploy uses with ``StrictHostKeyChecking=yes``; a camera already
known under another key is refused (a replaced card, or someone between laptop and camera).
"""

from __future__ import annotations

import argparse
import subprocess
import sys

from fleet.deploy import DeployError
from fleet.ssh import host_entry, known


def scan(host: str, port: int, timeout_s: int) -> tuple[str, str]:
    """The camera's Ed25519 host key as a known_hosts line, and its SHA256 fingerprint."""
    scanned = subprocess.run(["ssh-keyscan", "-T", str(timeout_s), "-p", str(port), "-t", "ed25519", host],
                             capture_output=True, text=True)
    lines = [line for line in scanned.stdout.splitlines() if line and not line.startswith("#")]
    if not lines:
        raise DeployError(f"{host}: no SSH host key within {timeout_s} s: is the camera on, on this network, "
                          "with SSH enabled?")
    printed = subprocess.run(["ssh-keygen", "-lf", "-"], input=lines[0] + "\n", capture_output=True, text=True)
    fingerprint = next((word for word in printed.stdout.split() if word.startswith("SHA256:")), "")
    if not fingerprint:
        raise DeployError(f"{host}: ssh-keygen could not read the host key: {printed.stderr.strip()}")
    return lines[0], fingerprint


def cmd_enrol(args: argparse.Namespace) -> int:
    line, fingerprint = scan(args.host, args.port, args.connect_timeout)
    key = line.split()[1:3]
    already = known(args.known_hosts, args.host, args.port)
    if any(entry.split()[1:3] == key for entry in already):
        print(f"{args.host}: already known with this host key ({fingerprint})")
        return 0
    if already:
        raise DeployError(f"{args.host}: known under ANOTHER host key in {args.known_hosts}; now it shows "
                          f"{fingerprint}. A reinstalled card has a new key: remove the old line "
                          f"(ssh-keygen -R '{host_entry(args.host, args.port)}' -f {args.known_hosts}) only "
                          "once you know why it changed")
    print(f"{args.host}: host key {fingerprint}\n  compare with the camera's console: "
          "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub")
    if args.fingerprint is not None:
        if args.fingerprint != fingerprint:
            raise DeployError(f"{args.host}: the host key is {fingerprint}, not the {args.fingerprint} you "
                              "read on the camera: not trusted (a wrong address, or someone in between)")
    elif not sys.stdin.isatty() or input("Same fingerprint on the camera? [y/N] ").strip().lower() not in ("y", "j"):
        raise DeployError(f"{args.host}: not confirmed; nothing written")
    args.known_hosts.parent.mkdir(parents=True, exist_ok=True)
    with args.known_hosts.open("a", encoding="utf-8") as f:
        f.write(line + "\n")
    print(f"{args.host}: host key added to {args.known_hosts}")
    return 0
