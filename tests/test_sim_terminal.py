"""The terminal front end in a real terminal (tmux, 80×24): legible, help within 80 columns, and what a
terminal cannot make you feel (vibration, markers, a refused press, a hold's progress) on screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image

from sim.gestures import hold_bar
from sim.terminal import HELP, half_blocks

ROOT = Path(__file__).resolve().parent.parent


def test_half_blocks_keep_two_pixels_per_cell_and_square_pixels():
    image = Image.new("RGB", (4, 4), (0, 0, 0))
    image.putpixel((0, 0), (255, 0, 0))
    image.putpixel((0, 1), (0, 0, 255))
    cells = half_blocks(image, 4, 2)
    assert len(cells) == 2 and len(cells[0]) == 4
    assert cells[0][0] == ((255, 0, 0), (0, 0, 255))


def test_hold_bar_counts_towards_what_the_hold_does_in_each_stage():
    assert hold_bar(0.75, "worn") == "RECORD 0.8/1.5 s █████····· → Aufnahme"
    assert hold_bar(3.5, "recording").endswith("██████████ → Stopp") and len(hold_bar(3.5, "recording")) <= 44


def test_the_picture_needs_no_more_colour_pairs_than_curses_can_name():
    from sim.terminal import PICTURE_COLOURS

    assert len(PICTURE_COLOURS) ** 2 + 3 <= 255  # every foreground/background pair, and the three LEDs


def test_the_key_help_fits_80_columns():
    assert len(HELP) < 80


@pytest.fixture
def terminal(tmp_path):
    if shutil.which("tmux") is None:
        pytest.fail("tmux is missing: make test installs it")
    session = f"bodycam-{os.getpid()}"
    command = (f"cd {ROOT} && PYTHONPATH={ROOT} TERM=xterm-256color {sys.executable} -m office sim "
               f"--terminal --data-dir {tmp_path / 'data'}; echo EXITED $?; sleep 60")  # keeps a traceback visible
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "80", "-y", "24", command], check=True)

    def screen(colours: bool = False) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", *(["-e"] if colours else []), "-t", session],
                              capture_output=True, text=True).stdout

    def keys(*sent: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", session, *sent], check=True)

    deadline = time.monotonic() + 60
    while "Stufe: worn" not in screen():
        assert time.monotonic() < deadline, screen()
        time.sleep(0.2)
    yield screen, keys
    subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def wait_for(screen, text: str, colours: bool = False, seconds: float = 20) -> str:
    deadline = time.monotonic() + seconds
    while text not in (shown := screen(colours)):
        assert time.monotonic() < deadline, f"{text!r} not on screen:\n{shown}"
        time.sleep(0.1)
    return shown


def test_the_terminal_shows_the_display_in_colour_half_blocks_and_what_a_press_did(terminal):
    screen, keys = terminal
    shown = screen()
    assert all(len(line) <= 80 for line in shown.splitlines())
    assert "d DISPLAY" in shown.splitlines()[-1]
    keys("d")
    shown = wait_for(screen, "▀", colours=True)
    assert "38;5;" in shown and "48;5;" in shown, "foreground and background colours: two pixels per cell"
    wait_for(screen, "Stufe: display")
    keys("r")
    wait_for(screen, "Stufe: recording")
    time.sleep(1.0)
    keys("r")  # a short press while recording: a marker
    wait_for(screen, "Markierung gesetzt")
    keys("d")  # DISPLAY while recording is refused
    wait_for(screen, "Abgelehnt")
    keys("R")  # a scripted 3.5 s hold stops the recording, with its progress on screen
    wait_for(screen, "→ Stopp")
    wait_for(screen, "Stufe: display")
    keys("q")


def test_a_press_outcome_is_shown_for_three_seconds_and_log_lines_carry_the_time_of_day():
    from datetime import UTC, datetime

    from sim.clock import VirtualClock
    from sim.gestures import decision_line, recent_outcome

    marker = {"t": 10.0, "event": "button-up", "button": "record", "outcome": "marker"}
    assert recent_outcome([marker], 12.9) == "◆ Markierung gesetzt"
    assert recent_outcome([marker], 13.1) is None
    assert recent_outcome([{**marker, "outcome": "recording-started"}], 10.5) is None  # the tones say that
    clock = VirtualClock(datetime(2026, 1, 5, 8, 0, tzinfo=UTC))
    expected = datetime(2026, 1, 5, 8, 0, 10, tzinfo=UTC).astimezone().strftime("%H:%M:%S")
    assert decision_line(clock, marker) == f"{expected} record ↑ → marker"
