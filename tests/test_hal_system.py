"""The machine's clock state as the hardened service can read it."""

from __future__ import annotations

from hal.system import TIME_ERROR, SystemClock, kernel_time_state

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
