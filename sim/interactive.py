"""``bodycam sim`` without ``--headless``: a window where a display exists, the terminal otherwise."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from firmware.config import Config


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_interactive(config: Config, camera_source: Path | None, microphone_source: Path | None = None,
                    force_terminal: bool = False) -> int:
    if not force_terminal:
        if has_display():
            from sim.window import WindowUnavailable, run_window

            try:
                return run_window(config, camera_source, microphone_source)
            except WindowUnavailable as exc:
                print(f"Kein Fenster möglich ({exc}) – Terminal-Oberfläche. / No window ({exc}): using the terminal.",
                      file=sys.stderr)
        else:
            print("Kein Display gefunden (DISPLAY/WAYLAND_DISPLAY nicht gesetzt) – Terminal-Oberfläche. "
                  "/ No display found: using the terminal.", file=sys.stderr)
    if not sys.stdin.isatty():
        print("bodycam sim: the terminal interface needs an interactive terminal; "
              "use --headless --scenario FILE for scripted runs", file=sys.stderr)
        return 2
    from sim.terminal import run_terminal

    return run_terminal(config, camera_source, microphone_source)
