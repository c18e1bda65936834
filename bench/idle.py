"""The idle cost of stage 1 (``worn``): CPU seconds per minute of the real-time firmware waiting for a
button (and writing its health report every second, as the service does), against a naive 100 Hz
button-polling loop measured in the same run."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from bench.table import Row
from firmware.config import Config, override
from firmware.health import HealthReport
from hal.gpio import GpioButtons, pin_factory
from sim.live import LiveSim


def _cpu_per_minute(seconds: float, body) -> float:
    start_cpu, start = time.process_time(), time.monotonic()
    body(seconds)
    return (time.process_time() - start_cpu) / (time.monotonic() - start) * 60.0


def run(seconds: float = 10.0) -> list[Row]:
    with tempfile.TemporaryDirectory() as data_dir:
        sim = LiveSim(override(Config(), storage={"data_dir": data_dir}))
        sim.firmware.health = HealthReport(Path(data_dir))  # as on the device: health.json once a second
        sim.start()
        time.sleep(1.0)  # start-up is not idle
        ours = _cpu_per_minute(seconds, time.sleep)
        frames = sim.controls.camera.frames_captured
        sim.stop()

    buttons = GpioButtons({"display": 17, "record": 27}, pull_up=True, debounce_s=0.03, now=time.monotonic,
                          factory=pin_factory("mock"))

    def polling(duration: float) -> None:
        end = time.monotonic() + duration
        pins = buttons._buttons.values()
        while time.monotonic() < end:
            any(b.is_pressed for b in pins)
            time.sleep(0.01)

    baseline = _cpu_per_minute(seconds, polling)
    buttons.close()
    return [
        Row("worn idle: CPU per minute (firmware + sim hardware)", ours, "CPU s/min", baseline, "100 Hz polling"),
        Row("worn idle: camera frames captured", frames, "frames"),
    ]
