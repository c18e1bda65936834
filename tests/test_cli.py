"""The ``bodycam`` command as a user runs it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from firmware.cli import main
from firmware.inbox import ThreadedInbox
from firmware.signals import install_shutdown_signals
from hal.system import SystemClock
from states.events import ShutdownRequested
from storage.keys import create_agency_keys, create_device_key

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "sim" / "scenarios" / "imminent-danger.txt"


def bodycam(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "firmware.cli", *args], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=300)


def test_cli_headless_scenario_prints_json_lines(tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[sim]\ncamera_width = 160\ncamera_height = 96\n")
    result = bodycam("sim", "--headless", "--scenario", str(SCENARIO), "--config", str(config),
                     "--data-dir", str(tmp_path / "data"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert records[-1]["type"] == "stopped"
    assert [r["to"] for r in records if r["type"] == "transition"] == ["recording", "display", "worn", "shutdown"]
    assert (tmp_path / "data").is_dir()


def test_cli_bad_config_exits_2_naming_line_and_key(tmp_path, capsys):
    config = tmp_path / "c.toml"
    config.write_text("[buttons]\nhold_stop_s = 'long'\n")
    code = main(["sim", "--headless", "--scenario", str(SCENARIO), "--config", str(config)])
    assert code == 2
    assert f"{config}:2: buttons.hold_stop_s must be a number" in capsys.readouterr().err


def test_cli_bad_scenario_exits_2_naming_the_line(tmp_path, capsys):
    scenario = tmp_path / "s.txt"
    scenario.write_text("0 press display\n5 jump\n9 end\n")
    code = main(["sim", "--headless", "--scenario", str(scenario), "--data-dir", str(tmp_path)])
    assert code == 2
    assert f"{scenario}:2: unknown step 'jump'" in capsys.readouterr().err


def test_cli_run_with_missing_config_exits_2(tmp_path, capsys):
    assert main(["run", "--config", str(tmp_path / "absent.toml")]) == 2
    assert "config file not found" in capsys.readouterr().err


def test_cli_run_without_device_drivers_says_what_to_install(tmp_path, monkeypatch, capsys):
    config = tmp_path / "c.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path}"\n[gpio]\npin_factory = "lgpio"\n')
    create_device_key(tmp_path / "keys")
    create_agency_keys(tmp_path / "office")
    shutil.copy(tmp_path / "office" / "agency.pub", tmp_path / "keys" / "agency.pub")
    monkeypatch.setitem(sys.modules, "lgpio", None)  # as on a laptop: import lgpio fails
    assert main(["run", "--config", str(config)]) == 1
    assert "lgpio is not installed: the device needs pip install '.[device]'" in capsys.readouterr().err


def test_cli_run_without_keys_says_how_to_create_them(tmp_path, capsys):
    config = tmp_path / "c.toml"
    config.write_text(f'[storage]\ndata_dir = "{tmp_path}"\n')
    assert main(["run", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert "device.key: key file not found" in err and "bodycam keys device --data-dir" in err


def test_sigterm_becomes_a_shutdown_event():
    clock = SystemClock()
    inbox = ThreadedInbox(clock)
    previous = signal.getsignal(signal.SIGTERM), signal.getsignal(signal.SIGINT)
    try:
        install_shutdown_signals(inbox, clock)
        threading.Timer(0.05, os.kill, (os.getpid(), signal.SIGTERM)).start()
        event = inbox.get(clock.now() + 5)
    finally:
        signal.signal(signal.SIGTERM, previous[0])
        signal.signal(signal.SIGINT, previous[1])
    assert isinstance(event, ShutdownRequested) and event.reason == "sigterm"
