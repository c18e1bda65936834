"""The machine's clock state as the hardened service can read it."""

from __future__ import annotations

import os

import pytest

from hal.interfaces import HardwareError
from hal.system import TIME_ERROR, SystemClock, kernel_time_state, power_off

TIME_OK = 0


def denied() -> int:
    return -1  # adjtimex under ProtectClock=yes: EPERM


def test_the_clock_counts_as_synchronised_once_timesyncd_says_so_although_adjtimex_is_denied(tmp_path):
    flag = tmp_path / "synchronized"
    flag.touch()
    assert SystemClock(flag, denied).synchronised()


def test_without_timesyncds_flag_the_kernel_state_decides_and_a_denied_call_is_not_synchronised(tmp_path):
    missing = tmp_path / "synchronized"
    assert not SystemClock(missing, denied).synchronised()
    assert not SystemClock(missing, lambda: TIME_ERROR).synchronised()
    assert SystemClock(missing, lambda: TIME_OK).synchronised()


def test_the_kernel_is_asked_for_real_outside_the_service():
    assert kernel_time_state() in range(-1, 6)  # TIME_OK … TIME_ERROR, or -1 where the call is denied


def test_asking_the_clock_state_again_starts_no_process(monkeypatch):
    """The preview asks every second; finding libc each time forked the firmware for ``ldconfig -p``."""
    import subprocess

    kernel_time_state()

    def no_process(*args, **kwargs):
        raise AssertionError(f"a process was started: {args}")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    for _ in range(3):
        assert kernel_time_state() in range(-1, 6)


def _systemctl(tmp_path, monkeypatch, script: str) -> None:
    """A stand-in systemctl first on PATH (the real one would power this machine off)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "systemctl").write_text("#!/bin/sh\n" + script)
    (bin_dir / "systemctl").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")


def test_a_power_off_that_systemd_refuses_is_an_error_that_says_why_not_silence(tmp_path, monkeypatch):
    """Without the polkit rule, logind refuses the service user: the journal must say so (#28)."""
    _systemctl(tmp_path, monkeypatch, 'echo "Call to PowerOff failed: Access denied" >&2\nexit 1\n')
    with pytest.raises(HardwareError, match=r"power-off refused: Call to PowerOff failed: Access denied.*polkit"):
        power_off()


def test_a_power_off_systemd_accepts_asks_for_poweroff(tmp_path, monkeypatch):
    _systemctl(tmp_path, monkeypatch, f'echo "$*" > {tmp_path / "asked"}\n')
    power_off()
    assert (tmp_path / "asked").read_text() == "poweroff\n"
