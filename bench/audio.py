"""Microphone capture + AAC encoding cost, and the time from a button press to the feedback tone."""

from __future__ import annotations

import statistics
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bench.table import Row, paired_rounds
from hal.aac import FRAME, SAMPLE_RATE
from hal.pyaudio_in import PyAudioIn

SECONDS = 60
ROUNDS = 5


def i2s_minute() -> bytes:
    """A minute of speech-like sound as an I2S microphone sends it: 24-bit samples in 32-bit stereo slots,
    the sound in slot 0 (at a metre or two, about -30 dBFS), slot 1 empty."""
    rng = np.random.default_rng(5)
    t = np.arange(SECONDS * SAMPLE_RATE) / SAMPLE_RATE
    voiced = 0.03 * np.sin(2 * np.pi * 220 * t) * (0.5 + 0.5 * np.sin(2 * np.pi * 3 * t))
    signal = voiced + 0.002 * rng.normal(size=t.size)
    slots = np.zeros((t.size, 2), dtype="<i4")
    slots[:, 0] = (np.clip(signal, -1, 1) * 2**23).astype(np.int32) << 8
    return slots.tobytes()


class MemoryCard:
    """PortAudio as the microphone adapter sees it, serving a recording from memory as fast as it is read
    (the adapter's CPU, without a card's pace); its clock is the position in the recording."""

    def __init__(self, pcm: bytes) -> None:
        self._pcm, self._at = pcm, 0
        self.frame_bytes = 8  # two 32-bit slots

    def __call__(self) -> MemoryCard:  # the adapter's open_pyaudio
        return self

    def open(self, **kwargs: object) -> MemoryCard:
        return self

    def get_read_available(self) -> int:
        return (len(self._pcm) - self._at) // self.frame_bytes

    def read(self, frames: int, exception_on_overflow: bool) -> bytes:
        block = self._pcm[self._at : self._at + frames * self.frame_bytes]
        self._at += len(block)
        if len(block) < frames * self.frame_bytes:  # the recording is over: silence, at the card's pace
            time.sleep(frames / SAMPLE_RATE)
            block += bytes(frames * self.frame_bytes - len(block))
        return block

    def clock(self) -> float:
        return self._at / self.frame_bytes / SAMPLE_RATE

    def stop_stream(self) -> None:
        pass

    def close(self) -> None:
        pass

    def terminate(self) -> None:
        pass


def microphone_cpu(pcm: bytes) -> float:
    """CPU seconds of the microphone adapter (capture and AAC threads: slot, gain, encoding) for a minute."""
    card = MemoryCard(pcm)
    microphone = PyAudioIn(card.clock, channels=2, slot=0, gain_db=20.0, open_pyaudio=card)
    encoded = threading.Event()
    samples = [0]

    def packet(_packet: object) -> None:
        samples[0] += FRAME
        if samples[0] >= SECONDS * SAMPLE_RATE - FRAME:
            encoded.set()

    start = time.process_time()
    microphone.start(packet, lambda: 1.0, lambda gap: None)
    assert encoded.wait(300), "the microphone adapter did not encode the minute"
    spent = time.process_time() - start
    microphone.close()
    return spent


def encoder_alone_cpu(pcm: bytes) -> float:
    """CPU seconds of PyAV's AAC encoder alone on the same minute (slot 0 as float, one call per frame)."""
    import av

    sound = np.frombuffer(pcm, dtype="<i4")[::2].astype(np.float32) / 2**31 * 10
    codec = av.CodecContext.create("aac", "w")
    codec.sample_rate, codec.layout, codec.format, codec.bit_rate = SAMPLE_RATE, "mono", "fltp", 64_000
    codec.options = {"aac_coder": "fast"}
    codec.open()
    start = time.process_time()
    for at in range(0, sound.size - FRAME + 1, FRAME):
        frame = av.AudioFrame.from_ndarray(sound[None, at : at + FRAME], format="fltp", layout="mono")
        frame.sample_rate = SAMPLE_RATE
        codec.encode(frame)
    return time.process_time() - start


def press_to_tone_ms(presses: int = 5, setup: Callable[[Path], dict[str, dict[str, object]]] | None = None
                     ) -> tuple[float, float]:
    """Median ms from the RECORD edge to the state change, and to the start tone starting to play.
    ``setup`` prepares the data dir and returns more settings (the control room's bench)."""
    from firmware.config import Config, override
    from sim.live import LiveSim

    decided, sounded = [], []
    with tempfile.TemporaryDirectory() as directory:
        more = setup(Path(directory)) if setup else {}
        config = override(Config(), storage={"data_dir": directory},
                          audio={"announce_recording_start": False, "announce_recording_stop": False,
                                 "announce_display": False}, **more)
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
    pcm = i2s_minute()
    microphone = paired_rounds(lambda: microphone_cpu(pcm), lambda: encoder_alone_cpu(pcm), ROUNDS)
    decided, sounded = press_to_tone_ms()
    over_announcement = press_to_tone_over_announcement_ms()
    return [
        Row.paired("microphone, I2S 32-bit stereo slots at 48 kHz: CPU per minute, capture + slot + gain + AAC",
                   "CPU s/min", microphone, "PyAV's AAC encoder alone"),
        Row("RECORD press to start tone playing (simulator, real time)", sounded, "ms", decided,
            "press to state change"),
        Row("RECORD press to start tone while the display announcement plays (target ≤ 100 ms)", over_announcement,
            "ms", sounded, "with nothing playing"),
    ]
