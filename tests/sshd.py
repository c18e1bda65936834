"""A real OpenSSH server on 127.0.0.1 for the tests: key auth only, host key made per run."""

from __future__ import annotations

import getpass
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SSHD = Path("/usr/sbin/sshd")


@dataclass(frozen=True)
class SshServer:
    host: str
    port: int
    user: str
    identity: Path
    known_hosts: Path

    def ssh_options(self) -> list[str]:
        return ["-p", str(self.port), "-i", str(self.identity), "-o", "BatchMode=yes",
                "-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "StrictHostKeyChecking=yes"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sshd(directory: Path, also_authorized: Path | None = None, client_key: Path | None = None,
               home: Path | None = None) -> tuple[SshServer, subprocess.Popen]:
    """The server; ``also_authorized`` is a second authorized_keys file it reads, as a camera's sshd reads
    its offload user's. ``client_key`` (default: one made here) is the key it accepts; with ``home``, every
    command runs there, so that a relative data dir is this server's own: one more camera on this host."""
    directory.mkdir(parents=True, exist_ok=True)
    host_key, client_key = directory / "host_ed25519", client_key or directory / "client_ed25519"
    for key in (host_key, client_key):
        if not key.exists():
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    forced = f'command="cd {home} && exec /bin/sh -c \\"$SSH_ORIGINAL_COMMAND\\"" ' if home else ""
    (directory / "authorized_keys").write_text(forced + Path(f"{client_key}.pub").read_text())
    port = free_port()
    config = directory / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {host_key}\nPidFile {directory / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {directory / 'authorized_keys'} {also_authorized or ''}\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\nPermitRootLogin prohibit-password\n"
        "StrictModes no\nUsePAM no\nSubsystem sftp internal-sftp\nLogLevel ERROR\n"
    )
    Path("/run/sshd").mkdir(exist_ok=True)  # privilege separation directory
    process = subprocess.Popen([str(SSHD), "-D", "-e", "-f", str(config)], stderr=subprocess.PIPE)
    host_pub = (directory / "host_ed25519.pub").read_text().split()
    (directory / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_pub[0]} {host_pub[1]}\n")
    server = SshServer("127.0.0.1", port, getpass.getuser(), client_key, directory / "known_hosts")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = subprocess.run(["ssh", *server.ssh_options(), f"{server.user}@{server.host}", "true"],
                               capture_output=True)
        if probe.returncode == 0:
            return server, process
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"sshd did not come up: {process.stderr.read().decode() if process.stderr else ''}")
