"""How the station reaches a camera: OpenSSH against the host key pinned in the registry, with time
limits, over one multiplexed connection per run."""

from __future__ import annotations

import contextlib
import queue
import shlex
import subprocess
import tempfile
import threading
from pathlib import Path
from types import TracebackType

from bodycam.errors import BodycamError
from fleet.ssh import CONNECT_TIMEOUT_S, failure, time_limits

__all__ = ["CONNECT_TIMEOUT_S", "Connection", "ConnectionFailed", "Session", "explain"]


class ConnectionFailed(BodycamError, RuntimeError):
    """The camera could not be reached, did not answer, or is not who the registry says."""


def explain(host: str, port: int, stderr: str, connect_timeout_s: int = CONNECT_TIMEOUT_S) -> str:
    """One line a technician can act on, for what ssh says when it gives up."""
    text = stderr.strip()
    match failure(text):
        case "host-key":
            return (f"{host}:{port}: the SSH host key does not match the one pinned at enrolment; if the camera "
                    "was re-imaged, enrol it again (bodycam station enrol), otherwise something else answers there")
        case "timeout":
            return f"{host}:{port}: no answer within {connect_timeout_s} s: is the camera docked and switched on?"
        case "refused":
            return f"{host}:{port}: connection refused: is sshd running on the camera?"
        case "denied":
            return f"{host}:{port}: the station's SSH key is not accepted by the camera (authorized_keys)"
    return f"{host}:{port}: {text.splitlines()[-1] if text else 'ssh failed'}"


class Connection:
    """``with Connection(...) as ssh:`` then ``ssh.session(...)`` and rsync with ``-e ssh.ssh``; the master
    connection closes at the end."""

    def __init__(self, host: str, port: int, user: str, host_keys: str, identity: Path | None = None,
                 connect_timeout_s: int = CONNECT_TIMEOUT_S) -> None:
        self.host, self.port, self.connect_timeout_s = host, port, connect_timeout_s
        self.target = f"{user}@{host}" if user else host
        self._dir = Path(tempfile.mkdtemp(prefix="bodycam-ssh-"))  # short: a control socket path is limited
        known_hosts = self._dir / "known_hosts"
        name = host if port == 22 else f"[{host}]:{port}"
        known_hosts.write_text("".join(f"{name} {line}\n" for line in host_keys.splitlines() if line.strip()))
        self.options = ["-p", str(port), "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                        "-o", f"UserKnownHostsFile={known_hosts}", "-o", "GlobalKnownHostsFile=/dev/null",
                        *time_limits(connect_timeout_s), "-o", "ControlMaster=auto",
                        "-o", f"ControlPath={self._dir / 'cm'}", "-o", "ControlPersist=120"]
        if identity is not None:
            self.options += ["-i", str(identity), "-o", "IdentitiesOnly=yes"]

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        subprocess.run(["ssh", *self.options, "-O", "exit", self.target], capture_output=True, timeout=30)
        for path in self._dir.iterdir():
            path.unlink(missing_ok=True)
        self._dir.rmdir()

    @property
    def ssh(self) -> str:
        """The ssh command for rsync's ``-e``."""
        return shlex.join(["ssh", *self.options])

    def session(self, words: list[str]) -> Session:
        return Session(self, words)


MAX_LINE = 4 * 1024 * 1024
"""The longest line a camera may answer, in characters: its manifest takes about 200 a recording, so this
holds some 20,000. A longer line is refused as soon as it passes the limit, before it fills memory."""
MAX_STDERR = 4096
"""What a failing camera command's error output is read of, for the message."""


class Session:
    """A command on the camera that talks in lines: ``read_line`` waits at most ``timeout`` seconds."""

    def __init__(self, connection: Connection, words: list[str]) -> None:
        self._connection = connection
        self._words = words
        self._process = subprocess.Popen(["ssh", *connection.options, connection.target, shlex.join(words)],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                         text=True)
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        while line := self._process.stdout.readline(MAX_LINE + 1):
            if len(line) > MAX_LINE:
                self._lines.put(None)  # too long: nothing more is read
                self._process.kill()
                return
            self._lines.put(line)
        self._lines.put("")  # end of output

    def read_line(self, timeout: float) -> str:
        try:
            line = self._lines.get(timeout=timeout)
        except queue.Empty:
            self.close()
            raise ConnectionFailed(f"{self._connection.host}:{self._connection.port}: `{self._words[1]}` "
                                   f"gave no answer in {timeout:.0f} s") from None
        if line is None:
            raise ConnectionFailed(f"{self._connection.host}: `{self._words[1]}` answered a line longer than "
                                   f"{MAX_LINE} characters: refused, nothing taken")
        if not line:
            code = self._process.wait(timeout=30)
            stderr = self._process.stderr.read(MAX_STDERR) if self._process.stderr else ""
            if code == 255:
                raise ConnectionFailed(explain(self._connection.host, self._connection.port, stderr,
                                               self._connection.connect_timeout_s))
            raise ConnectionFailed(f"{self._connection.host}: `{self._words[1]}` ended ({code}): "
                                   f"{stderr.strip() or 'no message'}")
        return line

    def send_line(self, text: str) -> None:
        assert self._process.stdin is not None
        self._process.stdin.write(text + "\n")
        self._process.stdin.flush()

    def close(self) -> None:
        """End of input: the camera deletes nothing it has not been sent a receipt for."""
        if self._process.stdin is not None and not self._process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
