"""``make hil``: the firmware as the systemd service on an emulated arm64 board with real kernel interfaces.

    python -m tools.hil [--cache DIR] [--list]

Builds (once, cached in ``.hil/``) a Debian bookworm arm64 image, boots it under qemu, installs a release
with ``bodycam deploy`` over SSH, then drives the service through the kernel's simulated hardware: buttons
are gpio-sim line pulls, LEDs and the display's lines gpio-sim line values, the fuel gauge i2c-stub's
registers, the display a spidev device on an SPI loopback controller that captures what it is sent,
speaker and microphone snd-aloop cards named as the overlays' cards, after an HDMI card that refuses to
play. Like a fresh Raspberry Pi OS card, the board has 512 MB and gets its buses and sound cards from
config.txt only at boot: deploy must reboot it.
Prints a summary table; exits 1 when a check failed. Every process it starts ends with it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tools.hil import checks
from tools.hil.image import ImageError
from tools.hil.vm import Vm, VmError, running

ROOT = Path(__file__).resolve().parent.parent.parent
CACHE = ROOT / ".hil"


def log(message: str) -> None:
    print(message, flush=True)


class Summary:
    def __init__(self) -> None:
        self.rows: list[tuple[str, bool, float, str]] = []

    def step(self, name: str, action: Callable[[], str]) -> bool:
        log(f"HIL: {name} …")
        started = time.monotonic()
        try:
            detail, ok = action(), True
        except (checks.CheckFailed, VmError, ImageError, subprocess.SubprocessError, OSError) as exc:
            detail, ok = str(exc), False
        self.rows.append((name, ok, time.monotonic() - started, detail))
        log(f"HIL: {name}: {'ok' if ok else 'FAILED'} ({time.monotonic() - started:.1f} s) {detail}")
        return ok

    def table(self) -> str:
        lines = ["| check | result | s | detail |", "|---|---|---:|---|"]
        for name, ok, seconds, detail in self.rows:
            short = " ".join(detail.split())
            lines.append(f"| {name} | {'ok' if ok else 'FAILED'} | {seconds:.1f} | "
                         f"{short[:140] + ('…' if len(short) > 140 else '')} |")
        return "\n".join(lines)


IMAGE, RELEASE, BOOT, DEPLOY = ("image (built once, then cached)", "release build (aarch64)",
                                "boot: a fresh card (no SPI, no I2C, only the HDMI sound card)",
                                "deploy over SSH: boot config, reboot, then the service's health")
"""The steps before the checks: each needs the one before it."""

CHECKS: list[tuple[str, Callable[[Vm], str]]] = [
    ("service healthy after the reboot, all parts started", checks.healthy),
    ("config.txt applied at the reboot: spidev, i2c, amp and microphone cards", checks.boot_config),
    ("HDMI card 0 refuses to play", checks.hdmi_refuses),
    ("ready LED on a gpio-sim line", checks.ready_led),
    ("fuel gauge reading arrives", checks.gauge_reading),
    ("DISPLAY press on gpio-sim reaches the state machine", checks.display_press),
    ("announcement recognised on the amp card's loopback", checks.announcement_recognised),
    ("display frames decoded from the SPI bus (SSD1351)", checks.display_frames),
    ("RECORD press records; a tone in the microphone's slot", checks.record),
    ("vibration motor: the start pulses at the configured PWM duty on a gpio-sim line", checks.vibration),
    ("recording verifies; sound as long as the picture, its slot and gain", checks.recording_verifies),
    ("watchdog restarts a stalled service", checks.watchdog),
    ("critical battery: recording finalised, power-off, verifies after boot", checks.critical_battery),
    ("station offloads as the unprivileged offload user through the gate, nothing else", checks.offload_through_gate),
]


def journal_tail(run_dir: Path, vm: Vm, lines: int = 40) -> str:
    """The service's journal, kept in the run folder; its last lines."""
    journal = vm.ssh("journalctl -u bodycam --no-pager -o short-precise", check=False).stdout
    (run_dir / "journal.log").write_text(journal)
    return "\n".join(journal.splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make hil", description=__doc__.split("\n\n")[0])
    parser.add_argument("--cache", type=Path, default=CACHE, help="image cache and run folder (default .hil/)")
    parser.add_argument("--list", action="store_true", help="print the steps and checks, one a line, and stop")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join([IMAGE, RELEASE, BOOT, DEPLOY, *(name for name, _ in CHECKS)]))
        return 0
    started = time.monotonic()
    summary = Summary()
    run_dir = args.cache / "run"
    subprocess.run(["rm", "-rf", str(run_dir)], check=True)
    run_dir.mkdir(parents=True)
    images: list[object] = []
    if not summary.step(IMAGE, lambda: checks.image_step(args.cache, images, log)):
        print(summary.table())
        return 1
    image = images[0]
    release: list[Path] = []
    ok = summary.step(RELEASE, lambda: checks.release_step(args.cache, run_dir, release))
    if ok:
        with running(image, run_dir) as vm:  # type: ignore[arg-type]
            ok = (summary.step(BOOT, lambda: f"SSH after {vm.boot():.0f} s; {checks.fresh_card(vm)}")
                  and summary.step(DEPLOY, lambda: checks.deploy(args.cache, run_dir, vm, release[0])))
            if ok:  # each check runs, whatever the one before found
                for name, check in CHECKS:
                    ok = summary.step(name, lambda check=check: check(vm)) and ok  # type: ignore[misc]
            if vm.process is not None and vm.process.poll() is None:
                tail = journal_tail(run_dir, vm)
                if not ok:
                    log("HIL: the service's journal, last lines:\n" + tail)
    print(summary.table())
    print(f"make hil: {'passed' if ok else 'FAILED'} in {time.monotonic() - started:.0f} s")
    (run_dir / "summary.json").write_text(json.dumps(summary.rows))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
