"""The camera's ``bodycam`` command: run the firmware, simulate it, check a device, create its key, and
the camera's side of an offload.

This is the composition root above the firmware and the simulator. Building the parser imports only
what ``--help`` needs; each command imports its modules when it runs, because a Pi Zero 2 W pays for
every import at every docking (docs/performance.md, start-up).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from bodycam.errors import EXIT_USAGE, BodycamError
from firmware.offload_cli import add_commands as add_offload_commands
from firmware.offload_gate import add_command as add_offload_gate

if TYPE_CHECKING:
    from firmware.config import CameraSettings, Config
    from firmware.hardware import Hardware
    from hal.interfaces import Camera

DEFAULT_PATH = Path("/etc/bodycam/config.toml")
"""Where the camera's installer puts the configuration (fleet/device_install.py) and the unit reads it."""


def _config(path: Path | None, data_dir: Path | None = None) -> Config:
    from firmware.config import Config, load, override

    config = load(path) if path else Config()
    return config if data_dir is None else override(config, storage={"data_dir": str(data_dir)})


def _prepare_data_dir(config: Config) -> None:
    """The data dir exists and can be written, or a ConfigError says what is wrong with it."""
    from firmware.config import ConfigError

    path = Path(config.storage.data_dir)
    if path.exists() and not path.is_dir():
        raise ConfigError(f"storage.data_dir {path}: exists but is not a folder; choose another path")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"storage.data_dir {path}: cannot create it: {exc.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise ConfigError(f"storage.data_dir {path}: not writable by this user; choose another path or fix "
                          "its owner")


def _hardware(config: Config, simulated: bool) -> Hardware:
    """The camera's devices, or the simulator's in real time (a staging camera, ``--sim``)."""
    if simulated:
        from sim.clock import RealtimeClock
        from sim.hardware import build_sim_hardware

        return build_sim_hardware(config, RealtimeClock())[0]
    from firmware.device import build_device_hardware

    return build_device_hardware(config, _test_pattern)


def _test_pattern(camera: CameraSettings) -> Camera:
    """The simulator's test picture for a rig without a camera module; a camera never loads the simulator."""
    from sim.camera import open_test_pattern

    return open_test_pattern(camera)


def cmd_run(args: argparse.Namespace) -> int:
    from firmware.app import Firmware
    from firmware.health import HealthReport, runtime_directory
    from firmware.inbox import ThreadedInbox
    from firmware.log import JsonLog
    from firmware.sd_notify import Notifier
    from firmware.signals import install_shutdown_signals
    from storage.keys import KeyFileError, load_device_keys

    config = _config(args.config, args.data_dir)
    _prepare_data_dir(config)
    keys_dir = Path(config.storage.data_dir) / "keys"
    try:
        keys = load_device_keys(keys_dir)
    except KeyFileError as exc:
        hint = (f"create the device key with: bodycam keys device --data-dir {config.storage.data_dir}; "
                f"install the evidence office's agency.pub in {keys_dir}")
        raise KeyFileError(f"{exc}\n  {hint}") from None
    hardware = _hardware(config, args.sim)
    inbox = ThreadedInbox(hardware.clock)
    firmware = Firmware(config, hardware, inbox, JsonLog(sys.stdout, hardware.clock), keys,
                        args.config.read_text(encoding="utf-8"), Notifier(), HealthReport(runtime_directory()))
    install_shutdown_signals(inbox, hardware.clock)
    firmware.run()
    return 0


def cmd_sim(args: argparse.Namespace) -> int:
    if args.scenario is not None and not args.headless:
        print("bodycam sim: --scenario runs only with --headless (the window and the terminal take their "
              "presses from you)", file=sys.stderr)
        return EXIT_USAGE
    config = _config(args.config, args.data_dir)
    _prepare_data_dir(config)
    if args.mqtt is not None:
        from sim.broker import with_broker

        config = with_broker(config, args.mqtt)
    if args.headless:
        from sim.headless import run_scenario
        from sim.scenario import load as load_scenario

        if args.scenario is None:
            print("bodycam sim --headless needs --scenario FILE", file=sys.stderr)
            return EXIT_USAGE
        run_scenario(load_scenario(args.scenario), config, sys.stdout, args.camera_source, args.realtime,
                     args.capture_display, args.capture_every, args.microphone_source)
        return 0
    from sim.interactive import run_interactive

    return run_interactive(config, args.camera_source, args.microphone_source, force_terminal=args.terminal)


def cmd_selftest(args: argparse.Namespace) -> int:
    import json

    from firmware.health import running_service
    from firmware.selftest import report, run_checks

    if not args.sim and (pid := running_service()) is not None:
        # Its checks open the camera and the GPIO lines, which the service holds: they would fail on a
        # healthy camera. The service's own report says how it is.
        print(f"bodycam selftest: the firmware service runs (pid {pid}) and holds the camera and the buttons; "
              "stop it first (systemctl stop bodycam), or read its health report in /run/bodycam/health.json",
              file=sys.stderr)
        return 1
    path = args.config or (DEFAULT_PATH if DEFAULT_PATH.exists() else None)
    config = _config(path, args.data_dir)
    _prepare_data_dir(config)
    hardware = _hardware(config, args.sim)
    try:
        checks = run_checks(config, hardware, lambda event, timeout: event.wait(timeout), simulated=args.sim)
    finally:
        hardware.close()
    if args.json:
        print(json.dumps([{"check": c.name, "ok": c.ok, "detail": c.detail, "fix": c.fix} for c in checks]))
    else:
        print(report(checks))
    return 0 if all(c.ok for c in checks) else 1


def cmd_keys_device(args: argparse.Namespace) -> int:
    from storage.keys import create_device_key

    pub = create_device_key(args.data_dir / "keys")
    print(f"device public key: {pub}")
    print(pub.read_text(), end="")
    return 0


def add_commands(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The camera's commands; returns the ``keys`` sub-commands, where the office adds its own key."""
    run = commands.add_parser("run", help="run the device firmware")
    run.add_argument("--config", type=Path, default=DEFAULT_PATH, help=f"config file (default {DEFAULT_PATH})")
    run.add_argument("--data-dir", type=Path, help="data dir (default: storage.data_dir of the config)")
    run.add_argument("--sim", action="store_true", help="the service on simulated hardware, in real time, with "
                                                        "the device's keys (a staging device without a camera)")
    run.set_defaults(handler=cmd_run)

    sim = commands.add_parser("sim", help="run the firmware on simulated hardware")
    sim.add_argument("--config", type=Path, help="config file (default: built-in defaults)")
    sim.add_argument("--data-dir", type=Path, default=Path("sim-data"), help="simulated data directory")
    sim.add_argument("--camera-source", type=Path, help="play this video file instead of the test pattern")
    sim.add_argument("--microphone-source", type=Path, help="16-bit WAV file the simulated microphone hears "
                                                            "(looped; default: a 1 kHz tone)")
    sim.add_argument("--mqtt", type=Path, metavar="DIR",
                     help="send status and alerts to a control room's broker: DIR holds the camera's broker files "
                          "and config.toml's [control_room] (make station writes station-demo/sim-camera)")
    sim.add_argument("--headless", action="store_true", help="no window: run --scenario in virtual time")
    sim.add_argument("--scenario", type=Path, help="scenario file (see docs/simulator.md)")
    sim.add_argument("--realtime", action="store_true", help="with --headless: run the scenario in real time")
    sim.add_argument("--capture-display", type=Path, metavar="DIR",
                     help="with --headless: PNGs of the front display at each transition and every N seconds")
    sim.add_argument("--capture-every", type=float, default=10.0, metavar="N",
                     help="seconds between periodic display captures (0: transitions only; default 10)")
    sim.add_argument("--terminal", action="store_true", help="terminal interface even when a display exists")
    sim.set_defaults(handler=cmd_sim)

    selftest = commands.add_parser("selftest", help="check camera, display, buttons, audio, battery, storage, "
                                                     "keys, clock and config")
    selftest.add_argument("--config", type=Path, help=f"config file (default {DEFAULT_PATH} when present)")
    selftest.add_argument("--data-dir", type=Path, help="data dir (default: storage.data_dir of the config)")
    selftest.add_argument("--json", action="store_true", help="machine-readable result")
    selftest.add_argument("--sim", action="store_true", help="check the simulated hardware instead")
    selftest.set_defaults(handler=cmd_selftest)

    keys = commands.add_parser("keys", help="create keys").add_subparsers(dest="keys_command", required=True)
    device = keys.add_parser("device", help="create this device's signing key (kept if present)")
    device.add_argument("--data-dir", type=Path, default=Path("/var/lib/bodycam"))
    device.set_defaults(handler=cmd_keys_device)
    add_offload_commands(commands)
    add_offload_gate(commands)
    return keys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bodycam", description="Body cam firmware and simulator.")
    add_commands(parser.add_subparsers(dest="command", required=True))
    return parser


def run_command(build: Callable[[], argparse.ArgumentParser], argv: Sequence[str] | None) -> int:
    """Parse, run the chosen command, and turn any of the project's errors into its one line and exit code."""
    args = build().parse_args(argv)
    try:
        return int(args.handler(args))
    except BodycamError as exc:
        print(f"bodycam: {exc.prefix}{exc}", file=sys.stderr)
        return exc.exit_code


def main(argv: Sequence[str] | None = None) -> int:
    return run_command(build_parser, argv)


if __name__ == "__main__":
    sys.exit(main())
