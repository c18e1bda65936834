"""The window and terminal front ends drive the same firmware through the simulated buttons."""

from __future__ import annotations

import time

import numpy as np
import pytest

from sim.live import LiveSim
from sim.terminal import FIRST_REPEAT_S, NEXT_REPEAT_S, HeldKeys
from states import Stage


def wait_for(predicate, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


@pytest.fixture
def window(config):
    from sim.window import Window

    sim = LiveSim(config)
    win = Window(sim)
    sim.start()
    yield win
    sim.stop()
    win.pg.quit()


def key(win, name: str, down: bool) -> None:
    """A key edge, then a pause: a human cannot press again within the 30 ms debounce window."""
    pg = win.pg
    win.handle(pg.event.Event(pg.KEYDOWN if down else pg.KEYUP, key=pg.key.key_code(name)))
    time.sleep(0.1)


def test_window_keys_walk_through_the_three_stages(window):
    key(window, "d", True)
    key(window, "d", False)
    assert wait_for(lambda: window.sim.stage is Stage.DISPLAY)
    key(window, "r", True)
    assert wait_for(lambda: window.sim.stage is Stage.RECORDING)
    key(window, "r", False)
    assert wait_for(lambda: window.sim.controls.panel.image() is not None)
    window.draw()
    key(window, "r", True)  # holding the key holds the button: 3 s stops
    assert wait_for(lambda: window.sim.stage is Stage.DISPLAY, seconds=10)
    key(window, "r", False)
    window.handle(window.pg.event.Event(window.pg.KEYDOWN, key=window.pg.K_q))
    assert window.quit


def test_window_buttons_can_be_clicked(window):
    from sim.window import BUTTONS

    rect = window.pg.Rect(BUTTONS["display"][0])
    window.handle(window.pg.event.Event(window.pg.MOUSEBUTTONDOWN, button=1, pos=rect.center))
    assert window.sim.controls.button_pressed("display")
    window.handle(window.pg.event.Event(window.pg.MOUSEBUTTONUP, button=1, pos=rect.center))
    assert not window.sim.controls.button_pressed("display")
    assert wait_for(lambda: window.sim.stage is Stage.DISPLAY)


def test_window_draws_leds_of_the_current_stage(window):
    assert wait_for(lambda: window.sim.controls.indicators.led_is_lit("ready"))
    window.draw()
    ready_pixel = window.screen.get_at((120, 482))
    assert ready_pixel[:3] == (255, 170, 0)


def test_terminal_held_key_releases_when_auto_repeat_stops():
    keys = HeldKeys()
    assert keys.key("record", 0.0) is True
    assert keys.released(FIRST_REPEAT_S - 0.01) == []  # waiting for the first repeat
    for t in (0.5, 0.55, 0.6, 2.9):
        assert keys.key("record", t) is False
        assert keys.released(t) == []
    assert keys.released(2.9 + NEXT_REPEAT_S + 0.01) == ["record"]


def test_terminal_tap_without_repeat_is_released_after_the_repeat_delay():
    keys = HeldKeys()
    keys.key("display", 1.0)
    assert keys.released(1.0 + FIRST_REPEAT_S + 0.01) == ["display"]


def test_terminal_scripted_hold_lasts_its_time():
    keys = HeldKeys()
    keys.hold_for("record", 0.0, 3.5)
    assert keys.released(3.4) == [] and keys.released(3.5) == ["record"]


def test_window_shows_exactly_the_pixels_the_panel_received(window):
    from sim.window import PANEL

    key(window, "d", True)
    key(window, "d", False)
    assert wait_for(lambda: window.sim.controls.panel.image() is not None)
    time.sleep(0.2)
    window.draw()
    x, y, w, _h = PANEL
    scale = w // 128
    panel = window.sim.controls.panel.image()
    # The badge and banner do not move with the live picture: the window must show their exact bytes.
    for py, px in ((2, 2), (126, 64), (122, 5)):
        assert tuple(window.screen.get_at((x + px * scale + 1, y + py * scale + 1)))[:3] == tuple(panel[py, px])


def test_headless_capture_display_writes_a_png_per_transition(tmp_path):
    import io

    from PIL import Image

    from sim.headless import run_scenario
    from sim.scenario import parse
    from tests.conftest import small_config

    config = small_config(str(tmp_path / "data"))
    run_scenario(parse("0 press display\n5 press record\n9 hold record 3\n15 end\n"), config, io.StringIO(),
                 capture_dir=tmp_path / "shots", capture_every_s=0)
    shots = sorted(p.name for p in (tmp_path / "shots").iterdir())
    assert shots == ["00000.20-display.png", "00005.20-recording.png", "00012.20-display.png"]
    recording = np.asarray(Image.open(tmp_path / "shots" / "00005.20-recording.png"))
    assert recording.shape == (128, 128, 3) and recording[64, 0, 0] > 200  # the red frame


def test_live_simulator_creates_a_missing_data_dir(tmp_path):
    from tests.conftest import small_config

    sim = LiveSim(small_config(str(tmp_path / "new" / "data")))
    sim.start()
    sim.stop()
    assert (tmp_path / "new" / "data" / "sim-log.jsonl").exists()


def test_window_text_has_every_glyph_it_shows(window):
    def pixels(text: str) -> bytes:
        return window.pg.image.tobytes(window.small.render(text, True, (255, 255, 255), (0, 0, 0)), "RGB")

    missing = pixels("\U0010fffd")  # a code point no font has: what a missing glyph looks like
    for glyph in "♪≋iäöüß–":
        assert pixels(glyph) != missing, glyph


def test_the_burned_in_time_stays_out_of_the_front_displays_crop_top():
    from sim.camera import MovingPattern

    pattern = MovingPattern(320, 180)
    frame = pattern.frame(0, "2026-01-05 08:00:00.00 UTC")
    text_rows = pattern._text.height
    assert (frame[-text_rows:] == 0).mean() > 0.5, "the time sits on a black band at the bottom"
    assert (frame[:text_rows] != 0).any(axis=2).mean() > 0.9, "the top is picture, not a fragment of text"
