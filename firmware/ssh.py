"""How ``bodycam deploy`` and ``bodycam offload`` reach a device: OpenSSH with keys only."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_ssh_options(parser: argparse.ArgumentParser, user_help: str = "SSH user on the device") -> None:
    parser.add_argument("host")
    parser.add_argument("--user", default="", help=user_help)
    parser.add_argument("--port", type=int, default=22)
    parser.add_argument("--identity", type=Path, help="SSH private key (key authentication only)")
    parser.add_argument("--known-hosts", type=Path, help="known_hosts file holding the device's host key")


def ssh_command(args: argparse.Namespace) -> list[str]:
    """``ssh`` with the options given; BatchMode: never a password prompt."""
    command = ["ssh", "-p", str(args.port), "-o", "BatchMode=yes"]
    if args.identity:
        command += ["-i", str(args.identity)]
    if args.known_hosts:
        command += ["-o", f"UserKnownHostsFile={args.known_hosts}", "-o", "StrictHostKeyChecking=yes"]
    return command


def ssh_target(args: argparse.Namespace) -> str:
    return f"{args.user}@{args.host}" if args.user else args.host
