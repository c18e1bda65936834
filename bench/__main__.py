"""``make bench``: prints one table; copy the figures into docs/performance.md."""

from __future__ import annotations

import platform

from bench import (
    audio,
    control_room,
    display,
    dock,
    evidence,
    handover,
    idle,
    operations,
    recording,
    redaction,
    rollout,
    shift,
    startup,
    state_machine,
    station_web,
)
from bench.table import render


def main() -> None:
    rows = [*startup.run(), *state_machine.run(), *idle.run(), *shift.run(), *recording.run(), *display.run(),
            *audio.run(), *operations.run(), *rollout.run(), *evidence.run(), *station_web.run(),
            *handover.run(), *dock.run(), *control_room.run(), *redaction.run()]
    print(f"machine: {platform.machine()}, {platform.python_implementation()} {platform.python_version()}")
    print(render(rows))


if __name__ == "__main__":
    main()
