"""Real-time scheduling for the audio threads: asked of the real kernel, and refused without losing a word."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from hal import realtime

ROOT = Path(__file__).resolve().parent.parent


def test_a_thread_made_real_time_is_round_robin_at_the_low_priority_for_the_kernel():
    code = ("import os, threading; from hal.realtime import make_realtime\n"
            "def run():\n"
            "    said = make_realtime()\n"
            "    print(said, os.sched_getscheduler(0) == os.SCHED_RR, os.sched_getparam(0).sched_priority)\n"
            "t = threading.Thread(target=run); t.start(); t.join()\n"
            "print(os.sched_getscheduler(0) == os.SCHED_OTHER)")
    # as root here; in the service, the unit's LimitRTPRIO=10 permits exactly this without a privilege
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    thread_line, main_line = result.stdout.strip().splitlines()
    if thread_line.startswith("ordinary"):  # a machine that permits no real-time at all says why
        assert "ordinary scheduling (" in thread_line
    else:
        assert thread_line == "real-time (round-robin, priority 10) True 10"
    assert main_line == "True", "only the thread that asked"


def test_a_refusal_is_reported_not_raised(monkeypatch):
    def refuse(pid: int, policy: int, param: os.sched_param) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(realtime.os, "sched_setscheduler", refuse)
    assert realtime.make_realtime() == "ordinary scheduling (Operation not permitted)"
