"""Microphone capture + AAC encoding cost, and the time from a button press to the feedback tone."""

from __future__ import annotations

import statistics
import tempfile
import time

import numpy as np

from bench.table import Row
from hal.aac import FRAME, SAMPLE_RATE, AacEncoder

SECONDS = 60


def pcm_blocks() -> list[bytes]:
    """A minute of speech-like microphone input as pyaudio delivers it: 16-bit blocks of 1024 samples."""
    rng = np.random.default_rng(5)
    t = np.arange(SECONDS * SAMPLE_RATE) / SAMPLE_RATE
    voiced = 0.3 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
    signal = voiced + 0.02 * rng.normal(size=t.size)
    pcm = (np.clip(signal, -1, 1) * 32767).astype("<i2")
    return [pcm[i : i + FRAME].tobytes() for i in range(0, len(pcm), FRAME)]


def capture_cpu(blocks: list[bytes], encode: bool) -> float:
    """CPU seconds for the capture thread's work on a minute of blocks, with or without AAC encoding."""
    encoder = AacEncoder()
    start = time.process_time()
    for index, block in enumerate(blocks):
        pcm = np.frombuffer(block, dtype="<i2").astype(np.float32) / 32768.0
        if encode:
            encoder.encode(pcm, index * FRAME / SAMPLE_RATE)
    return time.process_time() - start


def press_to_tone_ms(presses: int = 5) -> tuple[float, float]:
    """Median ms from the RECORD edge to the state change, and to the start tone starting to play."""
    from firmware.config import Config, override
    from sim.live import LiveSim

    decided, sounded = [], []
    with tempfile.TemporaryDirectory() as directory:
        config = override(Config(), storage={"data_dir": directory},
                          audio={"announce_recording_start": False, "announce_recording_stop": False,
                                 "announce_display": False})
        sim = LiveSim(config)
        sim.start()
        controls = sim.controls
        controls.set_button("display", True)
        time.sleep(0.1)
        controls.set_button("display", False)
        time.sleep(1.0)
        for _ in range(presses):
            heard = len(controls.audio.played)
            pressed = time.monotonic()
            controls.set_button("record", True)
            state_at = None
            while len(controls.audio.played) == heard and time.monotonic() - pressed < 5:
                if state_at is None and str(sim.stage) == "recording":
                    state_at = time.monotonic()
                time.sleep(0.0002)
            tone = controls.audio.played[heard]
            decided.append(((state_at or tone.t) - pressed) * 1000)
            sounded.append((tone.t - pressed) * 1000)
            controls.set_button("record", False)
            time.sleep(0.3)
            controls.set_button("record", True)
            time.sleep(3.5)  # stop hold
            controls.set_button("record", False)
            time.sleep(1.5)
        sim.stop()
    return statistics.median(decided), statistics.median(sounded)


def press_to_tone_over_announcement_ms(presses: int = 5) -> float:
    """Median ms from the RECORD edge to the start tone when RECORD comes 0.3 s into the display
    announcement (the tone must not wait for the announcement to end)."""
    from firmware.config import Config, override
    from sim.live import LiveSim

    sounded = []
    with tempfile.TemporaryDirectory() as directory:
        config = override(Config(), storage={"data_dir": directory},
                          audio={"announce_recording_start": False, "announce_recording_stop": False})
        sim = LiveSim(config)
        sim.start()
        controls = sim.controls

        def press(button: str, seconds: float = 0.1) -> None:
            controls.set_button(button, True)
            time.sleep(seconds)
            controls.set_button(button, False)

        for _ in range(presses):
            press("display")  # worn → display: the announcement begins
            time.sleep(0.3)
            heard = len(controls.audio.played)
            pressed = time.monotonic()
            controls.set_button("record", True)
            while time.monotonic() - pressed < 5 and not any(
                    p.label == "feedback:start" for p in controls.audio.played[heard:]):
                time.sleep(0.0002)
            tone = next(p for p in controls.audio.played[heard:] if p.label == "feedback:start")
            sounded.append((tone.t - pressed) * 1000)
            controls.set_button("record", False)
            time.sleep(0.3)
            press("record", 3.5)  # stop hold → display
            time.sleep(1.5)
            press("display")  # → worn
            time.sleep(0.5)
        sim.stop()
    return statistics.median(sounded)


def run() -> list[Row]:
    blocks = pcm_blocks()
    encoded = min(capture_cpu(blocks, True) for _ in range(2))
    plain = min(capture_cpu(blocks, False) for _ in range(2))
    decided, sounded = press_to_tone_ms()
    over_announcement = press_to_tone_over_announcement_ms()
    return [
        Row("microphone 48 kHz mono: CPU per minute, capture + AAC", encoded, "CPU s/min", plain, "capture only"),
        Row("RECORD press to start tone playing (simulator, real time)", sounded, "ms", decided,
            "press to state change"),
        Row("RECORD press to start tone while the display announcement plays (target ≤ 100 ms)", over_announcement,
            "ms", sounded, "with nothing playing"),
    ]
