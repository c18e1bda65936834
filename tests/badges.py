"""A real PC/SC stack without a reader: Debian's ``pcscd`` with the ``vsmartcard-vpcd`` virtual reader
driver, and a badge of our own that speaks vpcd's socket protocol (a 2-byte length, then a control byte
or an APDU; the virtual card answers the ATR request and APDUs).

pcscd puts its socket at a fixed path (/run/pcscd); it runs here in a private mount namespace whose
/run/pcscd is a folder of the test's own, so nothing on the host changes and the host's pcscd, if any,
is left alone. Clients find the socket through ``PCSCLITE_CSOCK_NAME``.
"""

from __future__ import annotations

import os
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path

from tests.sshd import free_port

DRIVER = Path("/usr/lib/pcsc/drivers/serial/libifdvpcd.so")
READER = "Bodycam Test Reader"
ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
"""A contactless card's ATR as PC/SC part 3 builds it (MIFARE Classic 1K)."""
POWER_OFF, POWER_ON, RESET, GET_ATR = 0, 1, 2, 4


class Pcscd:
    """pcscd with one virtual reader, until ``stop``; ``socket`` for ``PCSCLITE_CSOCK_NAME``."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        (folder / "conf").mkdir(parents=True)
        (folder / "run").mkdir()
        (folder / "conf" / "vpcd").write_text(
            f'FRIENDLYNAME "{READER}"\nDEVICENAME /dev/null:0x{self.port:04X}\nLIBPATH {DRIVER}\n'
            f"CHANNELID 0x{self.port:04X}\n")
        self.socket = folder / "run" / "pcscd.comm"
        self.folder = folder
        self.process: subprocess.Popen[bytes] | None = None
        self.start()

    def start(self) -> None:
        script = (f"mount -t tmpfs tmpfs /run && mkdir /run/pcscd && mount --bind {self.folder / 'run'} /run/pcscd"
                  f" && exec pcscd --foreground --config {self.folder / 'conf'}")
        self.process = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not self.socket.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("pcscd did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class Badge:
    """A badge laid on the virtual reader (``lay``) and taken off (``lift``), answering the reader's
    "Get Data" command with its UID; any other command is refused as a real card would (6D00)."""

    def __init__(self, pcscd: Pcscd, uid: str) -> None:
        self.pcscd, self.uid = pcscd, bytes.fromhex(uid)
        self.connection: socket.socket | None = None
        self.commands: list[bytes] = []

    def lay(self) -> None:
        self.connection = socket.create_connection(("127.0.0.1", self.pcscd.port), timeout=10)
        threading.Thread(target=self._answer, args=(self.connection,), daemon=True).start()

    def lift(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def _answer(self, connection: socket.socket) -> None:
        try:
            while True:
                (length,) = struct.unpack(">H", _exactly(connection, 2))
                message = _exactly(connection, length)
                if length == 1:
                    if message[0] == GET_ATR:
                        _send(connection, ATR)
                    continue
                self.commands.append(message)
                _send(connection, self.uid + b"\x90\x00" if message[:4] == b"\xff\xca\x00\x00" else b"\x6d\x00")
        except (OSError, EOFError):
            return


def _exactly(connection: socket.socket, count: int) -> bytes:
    data = b""
    while len(data) < count:
        block = connection.recv(count - len(data))
        if not block:
            raise EOFError
        data += block
    return data


def _send(connection: socket.socket, data: bytes) -> None:
    connection.sendall(struct.pack(">H", len(data)) + data)


def client_environment(pcscd: Pcscd) -> None:
    """This process's PC/SC clients (pyscard) talk to ``pcscd``."""
    os.environ["PCSCLITE_CSOCK_NAME"] = str(pcscd.socket)
