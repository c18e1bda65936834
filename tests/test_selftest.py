"""``bodycam selftest`` on the simulated hardware: every failure on one line, with the fix."""

from __future__ import annotations

import json
import shutil

import pytest

from hal.system import SystemClock
from office.cli import main
from storage.keys import create_agency_keys, create_device_key


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.setattr(SystemClock, "synchronised", lambda self: True)
    data = tmp_path / "data"
    create_device_key(data / "keys")
    create_agency_keys(tmp_path / "office")
    shutil.copy(tmp_path / "office" / "agency.pub", data / "keys" / "agency.pub")
    return data


def selftest(data, capsys, *extra: str) -> tuple[int, dict[str, dict]]:
    code = main(["selftest", "--sim", "--json", "--data-dir", str(data), *extra])
    return code, {c["check"]: c for c in json.loads(capsys.readouterr().out)}


def test_selftest_passes_on_a_healthy_camera(data, capsys):
    code, checks = selftest(data, capsys)
    assert code == 0, checks
    assert set(checks) == {"camera", "display", "buttons", "audio", "microphone", "battery", "storage", "keys", "clock",
                           "config"}
    assert checks["camera"]["detail"] == "delivers H.264 and preview frames"
    assert checks["microphone"]["detail"].startswith("-15 dBFS RMS, peak -12 dBFS"), "the simulator's tone at 0.25"


def test_selftest_names_missing_keys_and_how_to_create_them(data, capsys):
    (data / "keys" / "device.key").unlink()
    code, checks = selftest(data, capsys)
    assert code == 1 and not checks["keys"]["ok"]
    assert "bodycam keys device --data-dir" in checks["keys"]["fix"]


def test_selftest_catches_a_signing_key_its_group_or_others_can_read(data, capsys):
    (data / "keys" / "device.key").chmod(0o644)
    code, checks = selftest(data, capsys)
    assert code == 1 and checks["keys"]["fix"].startswith("chmod 400")
    (data / "keys" / "device.key").chmod(0o640)
    assert selftest(data, capsys)[0] == 1, "the service's group holds the station's login: it must not read it"
    (data / "keys" / "device.key").chmod(0o400)  # what deploy sets: the service's alone
    code, checks = selftest(data, capsys)
    assert code == 0 and "no station key yet" in checks["keys"]["detail"]


def test_selftest_fails_a_cameras_unsynchronised_clock_with_the_fix(monkeypatch):
    from types import SimpleNamespace

    from firmware.selftest import _clock

    monkeypatch.setattr(SystemClock, "synchronised", lambda self: False)
    check = _clock(SimpleNamespace(clock=SystemClock()), simulated=False)
    assert not check.ok and "timedatectl set-ntp true" in check.fix


def test_selftest_in_the_simulator_reports_the_clock_without_failing_on_it(data, capsys, monkeypatch):
    monkeypatch.setattr(SystemClock, "synchronised", lambda self: False)
    code, checks = selftest(data, capsys)
    assert code == 0 and checks["clock"]["ok"] and checks["clock"]["fix"] == ""
    assert "clock_synchronised=false" in checks["clock"]["detail"]


def test_selftest_reports_a_card_at_its_reserve(data, capsys, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text("[storage]\nreserve_mb = 100000\n")
    code, checks = selftest(data, capsys, "--config", str(config))
    assert code == 1 and "reserve" in checks["storage"]["detail"]


def test_selftest_text_report_has_one_line_per_check_with_fixes(data, capsys):
    (data / "keys" / "device.key").unlink()
    assert main(["selftest", "--sim", "--data-dir", str(data)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 10
    assert any(line.startswith("FAIL keys") and "→ fix:" in line for line in lines)


def test_selftest_refuses_while_the_service_runs_instead_of_failing_on_hardware_the_service_holds(
        tmp_path, monkeypatch, capsys):
    import json
    import os
    import subprocess

    from office.cli import main

    monkeypatch.setenv("RUNTIME_DIRECTORY", str(tmp_path))
    (tmp_path / "health.json").write_text(json.dumps({"pid": os.getpid(), "version": "0.1.0"}))
    assert main(["selftest", "--data-dir", str(tmp_path / "data")]) == 1
    assert f"the firmware service runs (pid {os.getpid()})" in capsys.readouterr().err
    gone = subprocess.Popen(["true"])
    gone.wait()
    (tmp_path / "health.json").write_text(json.dumps({"pid": gone.pid}))  # a report left by a dead service
    main(["selftest", "--data-dir", str(tmp_path / "data")])
    assert "the firmware service runs" not in capsys.readouterr().err


def test_selftest_fails_a_microphone_that_hears_digital_silence_and_names_the_slot():
    import math
    from types import SimpleNamespace

    from firmware.config import parse
    from firmware.selftest import _microphone

    config = parse("[audio]\ninput_slot = 1\n", "c.toml")
    silent = SimpleNamespace(level=lambda seconds: (-math.inf, -math.inf))
    check = _microphone(config, SimpleNamespace(microphone=silent, faults=[]))
    assert not check.ok and check.detail == "delivers digital silence"
    assert "audio.input_slot (1" in check.fix
    missing = _microphone(config, SimpleNamespace(microphone=None, faults=[("microphone", "no input device")]))
    assert not missing.ok and "audio.overlays" in missing.fix
    off = _microphone(parse("[audio]\nmicrophone = false\n", "c.toml"), SimpleNamespace(microphone=None, faults=[]))
    assert off.ok and "off" in off.detail
