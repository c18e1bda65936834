"""The simulator in a terminal (curses), for machines without a display.

Terminals report key presses but no releases: a key counts as held while it auto-repeats and as
released when the repeats stop. ``d``/``r`` press DISPLAY/RECORD, ``R`` holds RECORD for 3.5 s
(stop), ``q`` quits.
"""

from __future__ import annotations

import contextlib
import curses
import json
import time
from pathlib import Path

from PIL import Image

from firmware.config import Config
from sim.gestures import decision_line, hold_bar, recent_outcome
from sim.live import LiveSim

FIRST_REPEAT_S = 0.7  # longer than the usual auto-repeat delay
NEXT_REPEAT_S = 0.15
SCRIPTED_HOLD_S = 3.5
HELP = "d DISPLAY · r RECORD (Taste halten = Knopf halten) · R RECORD 3,5 s · q Ende"
UPPER_HALF = "▀"  # two pixels per cell: the top one in the foreground colour, the bottom one behind it
LED_COLOURS = {"ready": curses.COLOR_YELLOW, "green": curses.COLOR_GREEN, "red": curses.COLOR_RED}
BASIC = {
    curses.COLOR_BLACK: (0, 0, 0), curses.COLOR_RED: (205, 0, 0), curses.COLOR_GREEN: (0, 205, 0),
    curses.COLOR_YELLOW: (205, 205, 0), curses.COLOR_BLUE: (0, 0, 238), curses.COLOR_MAGENTA: (205, 0, 205),
    curses.COLOR_CYAN: (0, 205, 205), curses.COLOR_WHITE: (229, 229, 229),
}


class HeldKeys:
    """Turns a stream of key presses with auto-repeat into press and release of buttons."""

    def __init__(self) -> None:
        self.down_since: dict[str, float] = {}
        self.last_seen: dict[str, float] = {}
        self.release_at: dict[str, float] = {}

    def key(self, button: str, now: float) -> bool:
        """Record a key event; True when it is a new press."""
        new = button not in self.down_since
        if new:
            self.down_since[button] = now
        self.last_seen[button] = now
        return new

    def hold_for(self, button: str, now: float, seconds: float) -> bool:
        new = self.key(button, now)
        self.release_at[button] = now + seconds
        return new

    def released(self, now: float) -> list[str]:
        done = []
        for button, since in list(self.down_since.items()):
            if button in self.release_at:
                expired = now >= self.release_at[button]
            else:
                repeating = self.last_seen[button] > since
                expired = now - self.last_seen[button] > (NEXT_REPEAT_S if repeating else FIRST_REPEAT_S)
            if expired:
                del self.down_since[button], self.last_seen[button]
                self.release_at.pop(button, None)
                done.append(button)
        return done


# Python's curses.color_pair() covers pairs 1-255 only, so the picture is drawn in 15 colours (225
# foreground/background pairs): enough for the display's status colours and legible text.
PICTURE_COLOURS = {
    16: (0, 0, 0), 231: (255, 255, 255), 245: (138, 138, 138), 238: (68, 68, 68), 196: (255, 0, 0),
    88: (135, 0, 0), 46: (0, 255, 0), 28: (0, 135, 0), 21: (0, 0, 255), 18: (0, 0, 135), 226: (255, 255, 0),
    208: (255, 135, 0), 51: (0, 255, 255), 201: (255, 0, 255), 94: (135, 95, 0),
}


def _nearest(palette: dict[int, tuple[int, int, int]], rgb: tuple[int, int, int]) -> int:
    return min(palette, key=lambda c: sum((a - b) ** 2 for a, b in zip(palette[c], rgb, strict=True)))


def _colour_index(rgb: tuple[int, int, int]) -> int:
    return _nearest(PICTURE_COLOURS if curses.COLORS >= 256 else BASIC, rgb)


def half_blocks(image: Image.Image, cols: int, rows: int) -> list[list[tuple[tuple[int, int, int], ...]]]:
    """The picture as ``rows`` × ``cols`` cells of (top pixel, bottom pixel): square pixels on a terminal
    whose cells are twice as high as wide."""
    small = image.convert("RGB").resize((cols, rows * 2), Image.Resampling.BOX)
    pixels = small.tobytes()
    def rgb(x: int, y: int) -> tuple[int, int, int]:
        at = 3 * (y * cols + x)
        return pixels[at], pixels[at + 1], pixels[at + 2]
    return [[(rgb(x, 2 * y), rgb(x, 2 * y + 1)) for x in range(cols)] for y in range(rows)]


class TerminalUI:
    def __init__(self, screen, sim: LiveSim) -> None:
        self.screen = screen
        self.sim = sim
        self.keys = HeldKeys()
        self.pairs: dict[tuple[int, int], int] = {}
        curses.curs_set(0)
        curses.start_color()
        screen.timeout(40)

    def _pair(self, background: int, foreground: int = curses.COLOR_BLACK) -> int:
        key = (foreground, background)
        if key not in self.pairs:
            number = len(self.pairs) + 1
            if number >= curses.COLOR_PAIRS:
                return 0
            curses.init_pair(number, foreground, background)
            self.pairs[key] = number
        return curses.color_pair(self.pairs[key])

    def run(self) -> None:
        controls = self.sim.controls
        while True:
            now = time.monotonic()
            key = self.screen.getch()
            if key == ord("q"):
                return
            if key in (ord("d"), ord("D")) and self.keys.key("display", now):
                controls.set_button("display", True)
            if key == ord("r") and self.keys.key("record", now):
                controls.set_button("record", True)
            if key == ord("R") and self.keys.hold_for("record", now, SCRIPTED_HOLD_S):
                controls.set_button("record", True)
            for button in self.keys.released(now):
                controls.set_button(button, False)
            self.draw()

    def draw(self) -> None:
        screen, controls = self.screen, self.sim.controls
        screen.erase()
        rows, cols = screen.getmaxyx()
        stage = str(self.sim.stage) if self.sim.running else "aus / off"
        self._put(0, 0, f"Bodycam-Simulator  Stufe: {stage}  Akku: {controls.battery.percent:.1f} %", curses.A_BOLD)
        x = 0
        for name, label in (("ready", "Bereit"), ("green", "Anzeige"), ("red", "Aufnahme")):
            lit = controls.indicators.led_is_lit(name)
            self._put(1, x, "●" if lit else "○", self._pair(LED_COLOURS[name]) if lit else 0)
            self._put(1, x + 2, label)
            x += len(label) + 5
        if controls.indicators.vibrating:
            self._put(1, x, "~ Vibration", curses.A_BOLD)
        if playing := controls.audio.playing():
            self._put(1, x + 13, f"♪ {playing.label}")
        size = max(4, min(cols - 2, 2 * (rows - 7)))  # square, leaving room for status, help and the log
        self._panel(2, size, size // 2)
        left = size + 2 if cols - size > 30 else 0
        status_row = 2 if left else 2 + size // 2
        if "record" in self.keys.down_since:
            self._put(status_row, left, hold_bar(time.monotonic() - self.keys.down_since["record"], stage))
        decisions = [json.loads(ln) for ln in self.sim.log.lines if '"decision"' in ln]
        if outcome := recent_outcome(decisions, time.monotonic()):
            self._put(status_row + 1, left, outcome, curses.A_REVERSE)
        log_top = status_row + 3
        for offset, record in enumerate(decisions[-max(0, rows - log_top - 1):], start=log_top):
            self._put(offset, left, decision_line(self.sim.clock, record))
        self._put(rows - 1, 0, HELP)
        screen.refresh()

    def _panel(self, top: int, width: int, height: int) -> None:
        controls = self.sim.controls
        pixels = controls.panel.image() if controls.display.on else None
        if pixels is None or width < 4 or height < 2:
            self._put(top, 0, "[Display aus / off]")
            return
        for y, row in enumerate(half_blocks(Image.fromarray(pixels), width, height)):
            for x, (upper, lower) in enumerate(row):
                self._put(top + y, x, UPPER_HALF, self._pair(_colour_index(lower), _colour_index(upper)))

    def _put(self, y: int, x: int, text: str, attr: int = 0) -> None:
        rows, cols = self.screen.getmaxyx()
        if 0 <= y < rows and x < cols:
            # Writing the bottom-right cell raises although the text is drawn.
            with contextlib.suppress(curses.error):
                self.screen.addstr(y, x, text[: cols - x - 1], attr)


def run_terminal(config: Config, camera_source: Path | None, microphone_source: Path | None = None) -> int:
    sim = LiveSim(config, camera_source, microphone_source)
    sim.start()
    try:
        curses.wrapper(lambda screen: TerminalUI(screen, sim).run())
    finally:
        sim.stop()
    print(f"Protokoll / log: {sim.log_path}")
    return 0
