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

from firmware.inbox import ThreadedInbox
from firmware.signals import install_shutdown_signals
from hal.system import SystemClock
from office.cli import main
from states.events import ShutdownRequested
from storage.keys import create_agency_keys, create_device_key

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "sim" / "scenarios" / "imminent-danger.txt"


def bodycam(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "office.cli", *args], capture_output=True, text=True, cwd=cwd,
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
    monkeypatch.delitem(sys.modules, "gpiozero.pins.lgpio", raising=False)  # also after a test that imported it
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


def test_a_data_dir_that_is_a_file_or_not_writable_is_named_with_what_is_wrong(tmp_path, capsys):
    (tmp_path / "afile").write_text("")
    scenario = str(SCENARIO)
    assert main(["sim", "--headless", "--scenario", scenario, "--data-dir", str(tmp_path / "afile")]) == 2
    assert "exists but is not a folder" in capsys.readouterr().err
    if os.geteuid() != 0:  # root writes anywhere: the check is for the service user
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        assert main(["sim", "--headless", "--scenario", scenario, "--data-dir", str(locked)]) == 2
        assert "not writable" in capsys.readouterr().err


def test_a_scenario_without_headless_is_refused_not_ignored(tmp_path, capsys):
    assert main(["sim", "--scenario", str(SCENARIO), "--data-dir", str(tmp_path / "d")]) == 2
    assert "--scenario runs only with --headless" in capsys.readouterr().err


def test_an_empty_passphrase_never_writes_an_unprotected_agency_key(tmp_path, capsys):
    (tmp_path / "empty").write_text("\n")
    assert main(["keys", "agency", "--out", str(tmp_path / "office"), "--passphrase-file",
                 str(tmp_path / "empty")]) == 2
    assert "passphrase is empty" in capsys.readouterr().err and not (tmp_path / "office").exists()


def test_verify_names_a_missing_path_and_export_a_folder_without_recordings(tmp_path, capsys):
    create_device_key(tmp_path / "keys")
    key = ["--device-key", str(tmp_path / "keys" / "device.pub")]
    assert main(["evidence", "verify", str(tmp_path / "nowhere"), *key]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    (tmp_path / "empty").mkdir()
    create_agency_keys(tmp_path / "office")
    assert main(["evidence", "export", str(tmp_path / "empty"), *key, "--key", str(tmp_path / "office" / "agency.key"),
                 "--out", str(tmp_path / "x.mp4")]) == 2
    assert "no recordings under" in capsys.readouterr().err


def test_export_never_overwrites_a_file(tmp_path, capsys):
    create_device_key(tmp_path / "keys")
    create_agency_keys(tmp_path / "office")
    (tmp_path / "x.mp4").write_bytes(b"the earlier export")
    assert main(["evidence", "export", str(tmp_path), "--device-key", str(tmp_path / "keys" / "device.pub"),
                 "--key", str(tmp_path / "office" / "agency.key"), "--out", str(tmp_path / "x.mp4")]) == 2
    assert "never overwrites" in capsys.readouterr().err
    assert (tmp_path / "x.mp4").read_bytes() == b"the earlier export"


def test_deploy_checks_its_inputs_before_connecting(tmp_path, capsys):
    (tmp_path / "bad.toml").write_text("[storage]\nreserve_mb = \"x\"\n")
    (tmp_path / "good.toml").write_text("")
    create_device_key(tmp_path / "keys")  # an Ed25519 key: the wrong kind for the agency
    good, nowhere = ["--config", str(tmp_path / "good.toml")], ["--release", str(tmp_path / "no-release")]
    for extra, message in (([*good, "--agency-pub", str(tmp_path / "missing.pub")], "missing.pub: key file not found"),
                           ([*good, "--agency-pub", str(tmp_path / "keys" / "device.pub")], "not an agency public key"),
                           (["--config", str(tmp_path / "missing.toml")], "missing.toml: config file not found"),
                           (["--config", str(tmp_path / "bad.toml")], "bad.toml:2: storage.reserve_mb")):
        # a host that would never answer: never contacted
        assert main(["deploy", "192.0.2.1", *nowhere, *extra]) == 2
        assert message in capsys.readouterr().err
    assert main(["deploy", "192.0.2.1", *nowhere, *good]) == 1
    assert "no-release: not a release (no release.json); build one with `bodycam release build`" in \
        capsys.readouterr().err


def test_a_missing_key_file_is_named_as_missing_not_as_malformed(tmp_path, capsys):
    assert main(["evidence", "verify", str(tmp_path), "--device-key", str(tmp_path / "nowhere.pub")]) == 2
    assert "nowhere.pub: key file not found" in capsys.readouterr().err
