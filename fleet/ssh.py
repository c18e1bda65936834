"""How ``bodycam deploy`` and ``bodycam offload`` reach a device: OpenSSH with keys only."""

from __future__ import annotations

import argparse
import contextlib
import subprocess
from collections.abc import Iterator
from pathlib import Path

CONNECT_TIMEOUT_S = 10
KNOWN_HOSTS = Path.home() / ".config" / "bodycam" / "known_hosts"
"""The cameras' host keys, written by ``bodycam enrol`` after the technician compared the fingerprint."""
ALIVE_INTERVAL_S = 5
ALIVE_COUNT = 3


def time_limits(connect_timeout_s: int = CONNECT_TIMEOUT_S) -> list[str]:
    """ssh options that give up on a host that accepts TCP but never answers, or stops answering."""
    return ["-o", f"ConnectTimeout={connect_timeout_s}", "-o", f"ServerAliveInterval={ALIVE_INTERVAL_S}",
            "-o", f"ServerAliveCountMax={ALIVE_COUNT}"]


def failure(stderr: str) -> str | None:
    """Which of the failures a technician can act on ssh reports: ``host-key``, ``timeout``, ``refused``,
    ``denied``; None for anything else."""
    if "Host key verification failed" in stderr or "REMOTE HOST IDENTIFICATION HAS CHANGED" in stderr:
        return "host-key"
    if "timed out" in stderr or "Timeout" in stderr:
        return "timeout"
    if "Connection refused" in stderr:
        return "refused"
    if "Permission denied" in stderr:
        return "denied"
    return None


def add_ssh_options(parser: argparse.ArgumentParser, user_help: str = "SSH user on the device") -> None:
    parser.add_argument("host")
    parser.add_argument("--user", default="", help=user_help)
    parser.add_argument("--port", type=int, default=22)
    parser.add_argument("--identity", type=Path, help="SSH private key (key authentication only)")
    parser.add_argument("--known-hosts", type=Path, default=KNOWN_HOSTS,
                        help=f"known_hosts file holding the device's host key (default {KNOWN_HOSTS}, "
                             "written by bodycam enrol)")
    parser.add_argument("--connect-timeout", type=int, default=CONNECT_TIMEOUT_S, metavar="S",
                        help=f"give up on a device silent for S seconds (default {CONNECT_TIMEOUT_S})")


def ssh_command(args: argparse.Namespace) -> list[str]:
    """``ssh`` with the options given; BatchMode: never a password prompt; only a host key in the known_hosts
    file is accepted (first contact: ``bodycam enrol``)."""
    command = ["ssh", "-p", str(args.port), "-o", "BatchMode=yes", *time_limits(args.connect_timeout)]
    if args.identity:
        command += ["-i", str(args.identity)]
    return [*command, "-o", f"UserKnownHostsFile={args.known_hosts}", "-o", "StrictHostKeyChecking=yes"]


def host_entry(host: str, port: int) -> str:
    """How known_hosts names a host: ``[host]:port`` unless the port is 22."""
    return host if port == 22 else f"[{host}]:{port}"


def known(known_hosts: Path, host: str, port: int) -> list[str]:
    """The known_hosts lines for this host (ssh-keygen also finds hashed entries)."""
    found = subprocess.run(["ssh-keygen", "-F", host_entry(host, port), "-f", str(known_hosts)],
                           capture_output=True, text=True)
    return [line for line in found.stdout.splitlines() if line and not line.startswith("#")]


def ssh_target(args: argparse.Namespace) -> str:
    return f"{args.user}@{args.host}" if args.user else args.host


@contextlib.contextmanager
def ssh_session(args: argparse.Namespace, control_dir: Path) -> Iterator[list[str]]:
    """``ssh … TARGET`` sharing one connection for the whole run (one handshake, one host key check),
    closed on exit. The control socket lives in ``control_dir``, a private temporary folder."""
    control = ["-o", "ControlMaster=auto", "-o", f"ControlPath={control_dir / 'ssh-%C'}", "-o", "ControlPersist=60"]
    command = [*ssh_command(args), *control, ssh_target(args)]
    try:
        yield command
    finally:
        subprocess.run([*command[:-1], "-O", "exit", command[-1]], capture_output=True)
