"""The service unit passes systemd's own checks, and the firmware speaks the notify protocol."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from firmware.sd_notify import Notifier

ROOT = Path(__file__).resolve().parent.parent
UNIT = ROOT / "systemd" / "bodycam.service"
SYSTEM_UNITS = (Path("/lib/systemd/system"), Path("/usr/lib/systemd/system"))


def analyze() -> str:
    path = shutil.which("systemd-analyze")
    assert path, "systemd-analyze is missing: `make test` installs the systemd package"
    return path


def verification_root(tmp_path: Path) -> Path:
    """A root with the unit, a stand-in for its ExecStart (in a release behind the `current` link, as deploy
    installs it) and the system targets it orders after."""
    units = tmp_path / "etc" / "systemd" / "system"
    units.mkdir(parents=True)
    shutil.copy(UNIT, units)
    executable = tmp_path / "opt" / "bodycam" / "releases" / "0.2.0" / "venv" / "bin" / "bodycam"
    executable.parent.mkdir(parents=True)
    (tmp_path / "opt" / "bodycam" / "current").symlink_to("releases/0.2.0")
    executable.write_text("#!/bin/sh\n")
    executable.chmod(0o755)
    station = tmp_path / "opt" / "bodycam" / "venv" / "bin" / "bodycam"  # a station's install (pip, no releases)
    station.parent.mkdir(parents=True)
    shutil.copy(executable, station)
    for target in ("sysinit.target", "basic.target", "shutdown.target", "local-fs.target", "time-sync.target",
                   "multi-user.target"):
        source = next(d / target for d in SYSTEM_UNITS if (d / target).exists())
        shutil.copy(source, units)
    return tmp_path


def test_systemd_unit_verifies_without_a_word_on_stderr(tmp_path):
    root = verification_root(tmp_path)
    result = subprocess.run([analyze(), "verify", f"--root={root}", "bodycam.service"], capture_output=True,
                            text=True, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr


def test_systemd_unit_security_exposure_is_at_most_3():
    result = subprocess.run([analyze(), "security", "--offline=yes", str(UNIT)], capture_output=True, text=True)
    match = re.search(r"Overall exposure level for bodycam\.service: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= 3.0


def test_systemd_unit_is_notify_with_watchdog_and_restarts():
    text = UNIT.read_text()
    for line in ("Type=notify", "WatchdogSec=", "Restart=always", "User=bodycam", "ProtectSystem=strict",
                 "ReadWritePaths=/var/lib/bodycam", "WorkingDirectory=/var/lib/bodycam", "NoNewPrivileges=yes",
                 "PrivateTmp=yes"):
        assert line in text


@pytest.fixture
def notify_socket(tmp_path):
    path = str(tmp_path / "notify")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(path)
    sock.settimeout(10)
    yield path, sock
    sock.close()


def test_notifier_is_silent_outside_systemd():
    notifier = Notifier({})
    assert not notifier.active and notifier.watchdog_interval is None
    notifier.ready("worn")  # nothing to send to, nothing raised


def test_notifier_pings_at_half_the_watchdog_timeout(notify_socket):
    path, sock = notify_socket
    notifier = Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "20000000", "WATCHDOG_PID": str(os.getpid())})
    assert notifier.watchdog_interval == 10.0
    notifier.ready("worn")
    assert sock.recv(1024) == b"READY=1\nSTATUS=worn"
    assert Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "20000000", "WATCHDOG_PID": "1"}).watchdog_interval \
        is None, "the watchdog is meant for another process"


def test_firmware_reports_ready_stages_and_watchdog_to_systemd(notify_socket, tmp_path):
    path, sock = notify_socket
    scenario = tmp_path / "scenario.txt"
    scenario.write_text("0.5 press display\n1.5 end\n")
    config = tmp_path / "config.toml"
    config.write_text("[sim]\ncamera_width = 160\ncamera_height = 96\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NOTIFY_SOCKET": path, "WATCHDOG_USEC": "400000"}
    messages: list[str] = []

    done = threading.Event()

    def listen() -> None:  # as systemd does: read while the service runs
        sock.settimeout(0.1)
        while not done.is_set() or not messages or messages[-1] != "STOPPING=1":
            with contextlib.suppress(TimeoutError):
                messages.append(sock.recv(1024).decode())
            if done.is_set() and not messages:
                return

    listener = threading.Thread(target=listen)
    listener.start()
    result = subprocess.run(
        [sys.executable, "-m", "office.cli", "sim", "--headless", "--realtime", "--scenario", str(scenario),
         "--config", str(config), "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )
    done.set()
    listener.join(timeout=10)
    assert result.returncode == 0, result.stderr
    assert messages[0] == "READY=1\nSTATUS=worn"
    assert "STATUS=display" in messages and "STATUS=shutdown" in messages
    assert messages.count("WATCHDOG=1") >= 4  # every 0.2 s for 1.5 s
    assert messages[-1] == "STOPPING=1"


STATION_UNITS = ("bodycam-station-offload.service", "bodycam-station-offload.timer",
                 "bodycam-station-purge.service", "bodycam-station-purge.timer", "bodycam-station-sweep.service",
                 "bodycam-station-sweep.timer", "bodycam-station-web.service", "bodycam-station-dock.service",
                 "bodycam-station-control-room.service", "bodycam-station-jobs.service")


def test_station_units_verify_without_a_word_on_stderr(tmp_path):
    root = verification_root(tmp_path)
    units = root / "etc" / "systemd" / "system"
    for name in STATION_UNITS:
        shutil.copy(ROOT / "systemd" / name, units)
    for target in ("network-online.target", "network.target", "timers.target", "time-set.target",
                   "multi-user.target"):
        source = next((d / target for d in SYSTEM_UNITS if (d / target).exists()), None)
        if source is not None:
            shutil.copy(source, units)
    result = subprocess.run([analyze(), "verify", f"--root={root}", *STATION_UNITS], capture_output=True,
                            text=True, cwd=tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr


@pytest.mark.parametrize("unit", ["bodycam-station-offload.service", "bodycam-station-purge.service",
                                  "bodycam-station-sweep.service", "bodycam-station-web.service",
                                  "bodycam-station-dock.service", "bodycam-station-control-room.service",
                                  "bodycam-station-jobs.service"])
def test_station_service_security_exposure_is_at_most_3(unit):
    result = subprocess.run([analyze(), "security", "--offline=yes", str(ROOT / "systemd" / unit)],
                            capture_output=True, text=True)
    match = re.search(rf"Overall exposure level for {re.escape(unit)}: (\d+\.\d+)", result.stdout)
    assert match, result.stdout + result.stderr
    assert float(match.group(1)) <= 3.0


def test_station_timers_run_offload_for_all_cameras_and_the_14_day_purge():
    offload = (ROOT / "systemd" / "bodycam-station-offload.service").read_text()
    purge = (ROOT / "systemd" / "bodycam-station-purge.service").read_text()
    assert "bodycam offload --all" in offload and "evidence purge --older-than 14d" in purge


def test_the_sweep_timer_removes_closed_windows_footage_every_minute_and_the_store_stays_private():
    sweep = (ROOT / "systemd" / "bodycam-station-sweep.service").read_text()
    timer = (ROOT / "systemd" / "bodycam-station-sweep.timer").read_text()
    assert "bodycam station sweep --store /var/lib/bodycam-station" in sweep and "OnUnitActiveSec=1min" in timer
    for unit in STATION_UNITS:
        if unit.endswith(".service"):
            assert "StateDirectoryMode=0700" in (ROOT / "systemd" / unit).read_text(), unit


def test_the_dock_reads_badges_through_pcscd_and_comes_back_after_a_crash():
    dock = (ROOT / "systemd" / "bodycam-station-dock.service").read_text()
    assert "bodycam station dock --store /var/lib/bodycam-station" in dock and "Restart=always" in dock
    assert "After=pcscd.socket" in dock and "AF_UNIX" in dock


def test_the_web_application_listens_on_loopback_behind_a_tls_proxy():
    web = (ROOT / "systemd" / "bodycam-station-web.service").read_text()
    assert "station serve" in web and "--bind 127.0.0.1:8000" in web and "BODYCAM_HTTPS=1" in web


def test_the_unit_names_no_group_so_an_image_without_one_still_starts_the_service():
    """SupplementaryGroups= with a group the image lacks fails the start (216/GROUP); the user's own groups
    (deploy adds those the image has) are applied by systemd instead."""
    assert "SupplementaryGroups" not in UNIT.read_text().split("[Service]")[1].replace(
        "# No SupplementaryGroups=", "")


def test_deploy_puts_the_service_user_in_the_hardware_groups_the_image_has(tmp_path, monkeypatch):
    """Against stand-ins for getent, id and usermod (shadow-utils' exit codes and output): an image with
    video and audio only, a user in video: audio is added, nothing for the groups that do not exist."""
    from fleet.device_install import Device

    calls = tmp_path / "calls"
    scripts = {"getent": 'case "$2" in video|audio) echo "$2:x:44:";; *) exit 2;; esac',
               "id": '[ "$1" = -nG ] && echo "bodycam video"; exit 0',
               "usermod": f'echo "usermod $*" >> {calls}'}
    for name, body in scripts.items():
        (tmp_path / name).write_text(f"#!/bin/sh\n{body}\n")
        (tmp_path / name).chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:{os.environ['PATH']}")
    device = Device("", sandbox=False)
    device.user()
    assert calls.read_text() == "usermod --append --groups audio bodycam\n"
    assert device.changed == ["groups:audio"]


def test_the_control_room_reader_keeps_the_cameras_messages_and_comes_back_after_a_crash():
    reader = (ROOT / "systemd" / "bodycam-station-control-room.service").read_text()
    assert "bodycam station control-room --store /var/lib/bodycam-station --host" in reader
    assert "Restart=always" in reader and "AF_INET" in reader



def test_the_job_runner_is_stopped_through_itself_so_its_jobs_are_taken_up_again():
    jobs = (ROOT / "systemd" / "bodycam-station-jobs.service").read_text()
    assert "bodycam station jobs --store /var/lib/bodycam-station" in jobs and "Restart=always" in jobs
    assert "KillMode=mixed" in jobs, "SIGTERM to the runner alone (tests/test_station_jobs.py stops it so)"
