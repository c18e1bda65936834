"""Real-time scheduling for the threads whose lateness is heard or felt: the speaker's, the microphone's and
the vibration's.

A busy camera (encoder, preview, event loop) kept the player's thread waiting for a CPU longer than the
speaker's buffer lasts, and the announcement stuttered. Round-robin at a low real-time priority runs
these threads before every ordinary one whenever they are ready, which is briefly: they mostly wait for
the card. The service's unit allows exactly this priority (``LimitRTPRIO``) and the one system call.
"""

from __future__ import annotations

import os

PRIORITY = 10
"""Low among real-time priorities (1–99): above every ordinary thread, below the kernel's own."""


def make_realtime() -> str:
    """Makes the calling thread round-robin real-time; says how the thread is scheduled now."""
    try:
        os.sched_setscheduler(0, os.SCHED_RR, os.sched_param(PRIORITY))
    except OSError as exc:
        return f"ordinary scheduling ({exc.strerror or exc})"
    return f"real-time (round-robin, priority {PRIORITY})"
