"""A simulated 10 h shift under the power model (90 % worn, 8 % display, 2 % recording), against a
camera whose picture runs the whole shift (no camera-off stage 1), both in virtual time."""

from __future__ import annotations

import io
import time

from bench.table import Row
from firmware.config import Config, override
from sim.headless import run_scenario
from sim.scenario import parse

HOURS = 10


def shift_scenario(hours: int = HOURS) -> str:
    """Each hour: 54 min worn, then 108 s display, 72 s recording (incl. the 3 s stop hold), 180 s display."""
    lines = []
    for hour in range(hours):
        base = hour * 3600
        lines += [
            f"{base + 3240} press display",
            f"{base + 3348} press record",
            f"{base + 3417} hold record 3",
            f"{base + 3599.5} press display",
        ]
    lines.append(f"{hours * 3600} end")
    return "\n".join(lines) + "\n"


def always_on_scenario(hours: int = HOURS) -> str:
    return f"0 press display\n{hours * 3600 - 1} press display\n{hours * 3600} end\n"


def _battery_left(scenario: str, config: Config) -> tuple[float, float]:
    start = time.perf_counter()
    _, _, controls = run_scenario(parse(scenario), config, io.StringIO())
    return controls.battery.percent, time.perf_counter() - start


def _ten_minute_run() -> float:
    """Wall time of a 10-minute scenario at the simulator's default camera settings."""
    scenario = "0 press display\n30 press record\n60 press record\n300 hold record 3\n330 press display\n" \
               "400 press display\n590 press display\n600 end\n"
    start = time.perf_counter()
    run_scenario(parse(scenario), Config(), io.StringIO())
    return time.perf_counter() - start


def run() -> list[Row]:
    # The drain depends on what is switched on, not on the frame rate: 1 fps keeps 10 h quick.
    config = override(Config(), camera={"fps": 1}, sim={"camera_width": 160, "camera_height": 96},
                      audio={"microphone": False})  # not in the power model (tens of mW)
    ours, wall = _battery_left(shift_scenario(), config)
    always_on, _ = _battery_left(always_on_scenario(), config)
    ten_minutes = _ten_minute_run()
    return [
        Row("battery left after 10 h shift (5,000 mAh)", ours, "%", always_on, "camera+display always on",
            higher_is_better=True),
        Row("10 h shift simulated in", wall, "s wall", HOURS * 3600, "real time"),
        Row("10 min scenario (default sim camera) in", ten_minutes, "s wall", 600, "real time"),
    ]
