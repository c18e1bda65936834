"""The simulator window (pygame): the front display scaled up, the LEDs, and the two buttons.

Keys: ``d`` DISPLAY, ``r`` RECORD (holding the key holds the button), ``q`` quit. The buttons can also
be clicked and held with the mouse. The panel area shows the bytes the firmware sent to the luma
device, decoded back to pixels: what you see is what the panel gets.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from bodycam.errors import BodycamError
from firmware.config import Config
from firmware.overlay import FONT
from sim.gestures import decision_line, hold_bar, recent_outcome
from sim.live import LiveSim

os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

WIDTH, HEIGHT = 560, 780
PANEL = (88, 70, 384, 384)
LEDS = (("ready", "Bereit", (255, 170, 0)), ("green", "Anzeige", (0, 220, 60)), ("red", "Aufnahme", (255, 30, 30)))
BUTTONS = {"display": ((80, 540, 180, 56), "DISPLAY  [d]"), "record": ((300, 540, 180, 56), "RECORD  [r]")}
KEYS = {"d": "display", "r": "record"}


class WindowUnavailable(BodycamError, RuntimeError):
    pass


class Window:
    def __init__(self, sim: LiveSim) -> None:
        import pygame

        self.pg = pygame
        self.sim = sim
        try:
            pygame.display.init()
            pygame.font.init()
            self.screen = pygame.display.set_mode((WIDTH, HEIGHT))
        except pygame.error as exc:
            raise WindowUnavailable(str(exc)) from exc
        pygame.display.set_caption("Bodycam-Simulator")
        # The firmware's bundled DejaVu: it has "♪", "≋" and umlauts, and a dotted i at small sizes
        # (pygame's default font has neither the symbols nor a legible small i).
        self.font = pygame.font.Font(str(FONT), 22)
        self.small = pygame.font.Font(str(FONT), 15)
        self.mouse_button: str | None = None
        self.record_since: float | None = None
        self.quit = False

    def handle(self, event) -> None:
        pg, controls = self.pg, self.sim.controls
        if event.type == pg.QUIT or (event.type == pg.KEYDOWN and event.key == pg.K_q):
            self.quit = True
        elif event.type in (pg.KEYDOWN, pg.KEYUP) and pg.key.name(event.key) in KEYS:
            controls.set_button(KEYS[pg.key.name(event.key)], event.type == pg.KEYDOWN)
        elif event.type == pg.MOUSEBUTTONDOWN and event.button == 1:
            for name, (rect, _) in BUTTONS.items():
                if pg.Rect(rect).collidepoint(event.pos):
                    self.mouse_button = name
                    controls.set_button(name, True)
        elif event.type == pg.MOUSEBUTTONUP and event.button == 1 and self.mouse_button:
            controls.set_button(self.mouse_button, False)
            self.mouse_button = None

    def draw(self) -> None:
        pg, screen, controls = self.pg, self.screen, self.sim.controls
        screen.fill((18, 18, 22))
        pg.draw.rect(screen, (40, 40, 48), (40, 20, 480, 610), border_radius=28)
        screen.blit(self.font.render("Bodycam-Simulator", True, (200, 200, 210)), (60, 34))
        x, y, w, h = PANEL
        pixels = controls.panel.image() if controls.display.on else None
        if pixels is not None:
            surface = pg.image.frombytes(pixels.tobytes(), (pixels.shape[1], pixels.shape[0]), "RGB")
            screen.blit(pg.transform.scale(surface, (w, h)), (x, y))
        else:
            pg.draw.rect(screen, (0, 0, 0), PANEL)
            screen.blit(self.small.render("Display aus (Schlafmodus)", True, (90, 90, 90)), (x + 100, y + 180))
        for index, (name, label, colour) in enumerate(LEDS):
            lit = controls.indicators.led_is_lit(name)
            centre = (120 + index * 160, 482)
            pg.draw.circle(screen, colour if lit else tuple(c // 5 for c in colour), centre, 11)
            screen.blit(self.small.render(label, True, (170, 170, 180)), (centre[0] - 26, 500))
        if controls.indicators.vibrating:
            screen.blit(self.small.render("≋ Vibration ≋", True, (240, 240, 120)), (60, 612))
        if playing := controls.audio.playing():
            screen.blit(self.small.render(f"♪ {playing.label}", True, (120, 200, 255)), (240, 612))
        self._gestures()
        for name, (rect, label) in BUTTONS.items():
            pressed = controls.button_pressed(name)
            pg.draw.rect(screen, (200, 60, 60) if pressed else (85, 85, 100), rect, border_radius=10)
            text = self.font.render(label, True, (255, 255, 255))
            screen.blit(text, text.get_rect(center=pg.Rect(rect).center))
        self._status()
        pg.display.flip()

    def _status(self) -> None:
        stage = str(self.sim.stage) if self.sim.running else "aus / off"
        battery = self.sim.controls.battery.percent
        status = f"Stufe: {stage}   Akku: {battery:.1f} %   q = Ende"
        self.screen.blit(self.font.render(status, True, (230, 230, 230)), (40, 644))
        y = 672
        for line in [ln for ln in self.sim.log.lines if '"decision"' in ln][-5:]:
            text = decision_line(self.sim.clock, json.loads(line))
            self.screen.blit(self.small.render(text, True, (150, 150, 160)), (40, y))
            y += 20

    def _gestures(self) -> None:
        """A held RECORD's progress and what the last press did: the vibration a laptop cannot give."""
        now = time.monotonic()
        held = self.sim.controls.button_pressed("record")
        self.record_since = (self.record_since or now) if held else None
        if self.record_since is not None:
            bar = hold_bar(now - self.record_since, str(self.sim.stage))
            self.screen.blit(self.small.render(bar, True, (255, 220, 120)), (60, 560))
        decisions = [json.loads(ln) for ln in self.sim.log.lines if '"decision"' in ln][-1:]
        if outcome := recent_outcome(decisions, now):
            self.screen.blit(self.small.render(outcome, True, (255, 255, 255), (120, 40, 40)), (60, 586))

    def run(self, frames: int | None = None) -> None:
        clock = self.pg.time.Clock()
        while not self.quit and (frames is None or frames > 0):
            for event in self.pg.event.get():
                self.handle(event)
            self.draw()
            clock.tick(30)
            frames = None if frames is None else frames - 1


def run_window(config: Config, camera_source: Path | None, microphone_source: Path | None = None) -> int:
    sim = LiveSim(config, camera_source, microphone_source)
    window = Window(sim)
    sim.start()
    try:
        window.run()
    finally:
        sim.stop()
        window.pg.quit()
    print(f"Protokoll / log: {sim.log_path}")
    return 0
