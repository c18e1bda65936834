"""The HIL machine running: qemu emulating the arm64 board, reached over SSH on a forwarded loopback port.

The disk is a copy-on-write overlay in the run folder over the cached image: every run starts from the
image, the image never changes, and what the machine wrote survives its reboots and power-offs until the
run ends (a recording finalised before a power-off is read after the next boot).
"""

from __future__ import annotations

import contextlib
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from bodycam.errors import BodycamError
from tools.hil.image import MACHINE, Image

BOOT_TIMEOUT_S = 600.0


class VmError(BodycamError, RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Vm:
    def __init__(self, image: Image, run_dir: Path) -> None:
        self.image = image
        self.run_dir = run_dir
        self.port = free_port()
        self.boots = 0
        self.console = run_dir / "console.log"
        self.disk = run_dir / "disk.qcow2"
        subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw", "-b", str(image.disk),
                        str(self.disk)], check=True, capture_output=True)
        self.known_hosts = run_dir / "known_hosts"
        host_key = image.host_key_pub.read_text().split()
        self.known_hosts.write_text(f"[127.0.0.1]:{self.port} {host_key[0]} {host_key[1]}\n")
        self.process: subprocess.Popen[bytes] | None = None

    def command(self) -> list[str]:
        return [
            "qemu-system-aarch64", *MACHINE, "-accel", "tcg,thread=multi", "-nographic", "-monitor", "none",
            "-serial", f"file:{self.console}",
            "-kernel", str(self.image.kernel), "-initrd", str(self.image.initrd), "-dtb", str(self.image.dtb),
            "-append", "root=/dev/vda rw console=ttyAMA0 net.ifnames=0",
            "-drive", f"file={self.disk},format=qcow2,if=none,id=disk",
            "-device", "virtio-blk-pci,drive=disk",
            "-netdev", f"user,id=net,hostfwd=tcp:127.0.0.1:{self.port}-:22", "-device", "virtio-net-pci,netdev=net",
        ]

    def ssh_options(self) -> list[str]:
        return ["-p", str(self.port), "-i", str(self.image.ssh_key), "-o", "BatchMode=yes",
                "-o", f"UserKnownHostsFile={self.known_hosts}", "-o", "StrictHostKeyChecking=yes",
                "-o", "ConnectTimeout=10"]

    def ssh(self, command: str, timeout: float = 120.0, check: bool = True) -> subprocess.CompletedProcess[str]:
        """``command`` as root on the machine (a shell line)."""
        result = subprocess.run(["ssh", *self.ssh_options(), "root@127.0.0.1", command], text=True,
                                capture_output=True, timeout=timeout)
        if check and result.returncode != 0:
            raise VmError(f"on the machine: {command!r} exit {result.returncode}: {result.stderr.strip()[-800:]}")
        return result

    def copy_to(self, local: Path, remote: str) -> None:
        self._rsync(str(local), f"root@127.0.0.1:{remote}")

    def copy_from(self, remote: str, local: Path, exclude: str = "") -> None:
        local.mkdir(parents=True, exist_ok=True)
        self._rsync(*(["--exclude", exclude] if exclude else []), f"root@127.0.0.1:{remote}", str(local))

    def _rsync(self, *args: str) -> None:
        shell = "ssh " + " ".join(self.ssh_options())
        subprocess.run(["rsync", "-a", "-e", shell, *args], check=True, capture_output=True, timeout=300)

    def boot(self) -> float:
        """Starts the machine and waits for SSH; the seconds it took."""
        started = time.monotonic()
        self.boots += 1
        self.console = self.run_dir / ("console.log" if self.boots == 1 else f"console-{self.boots}.log")
        self.process = subprocess.Popen(self.command(), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                        stderr=(self.run_dir / "qemu.log").open("wb"))
        while time.monotonic() - started < BOOT_TIMEOUT_S:
            if self.process.poll() is not None:
                raise VmError(f"qemu stopped (exit {self.process.returncode}): "
                              + (self.run_dir / "qemu.log").read_text()[-800:])
            with contextlib.suppress(subprocess.TimeoutExpired):
                if self.ssh("true", timeout=20, check=False).returncode == 0:
                    return time.monotonic() - started
            time.sleep(3)
        raise VmError(f"no SSH after {BOOT_TIMEOUT_S:.0f} s; the console says:\n" + self.console_tail())

    def wait_off(self, timeout: float) -> float:
        """Seconds until the machine powered itself off (qemu ends with it)."""
        if self.process is None:
            raise VmError("the machine was never started")
        started = time.monotonic()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            raise VmError(f"still running {timeout:.0f} s later; the console says:\n" + self.console_tail()) from None
        return time.monotonic() - started

    def console_tail(self, lines: int = 30) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.console.read_text(errors="replace").splitlines()[-lines:])
        return ""

    def stop(self) -> None:
        """Powers the machine off, and ends qemu when it does not go by itself."""
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.ssh("systemctl poweroff", timeout=15, check=False)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


@contextlib.contextmanager
def running(image: Image, run_dir: Path) -> Iterator[Vm]:
    vm = Vm(image, run_dir)
    try:
        yield vm
    finally:
        vm.stop()
